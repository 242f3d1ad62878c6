// HTML (as mammoth writes it from a .docx) → ProseMirror JSON of the plan schema.
// mammoth's output is small and regular (h1–h6, p, ul/ol/li, table/tr/td/th, strong, em, a,
// br, img), so a tokenizer and a tree walk are enough; unknown tags are unwrapped.
import { text as textNode, type PmNode } from './pmSchema.js';

interface El {
  tag: string;
  attrs: Record<string, string>;
  children: (El | string)[];
}

const VOID = new Set(['br', 'img', 'hr', 'meta', 'link', 'input', 'col']);
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function decode(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(cp) && cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

export function parseHtml(html: string): El {
  const root: El = { tag: '#root', attrs: {}, children: [] };
  const stack: El[] = [root];
  // Names and unquoted values never contain `<` or a quote, so a tag can only extend to the next
  // `<`, and no two alternatives match the same text: the tokenizer cannot backtrack.
  const re = /<!--[\s\S]*?-->|<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s=>/<"']+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"'<][^\s>"'<]*))?)*)\s*(\/?)>|([^<]+|<)/g;
  for (const m of html.matchAll(re)) {
    const top = stack[stack.length - 1];
    if (m[5] !== undefined) {
      top.children.push(decode(m[5]));
      continue;
    }
    if (!m[2]) continue; // comment
    const tag = m[2].toLowerCase();
    if (m[1]) {
      const at = stack.map((e) => e.tag).lastIndexOf(tag);
      if (at > 0) stack.length = at;
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of (m[3] ?? '').matchAll(/([^\s=>/<"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"'<]+)))?/g)) {
      attrs[a[1].toLowerCase()] = decode(a[2] ?? a[3] ?? a[4] ?? '');
    }
    const el: El = { tag, attrs, children: [] };
    top.children.push(el);
    if (!m[4] && !VOID.has(tag)) stack.push(el);
  }
  return root;
}

type Mark = NonNullable<PmNode['marks']>[number];
const MARK_OF: Record<string, Mark> = {
  strong: { type: 'bold' },
  b: { type: 'bold' },
  em: { type: 'italic' },
  i: { type: 'italic' },
  u: { type: 'underline' },
  s: { type: 'strike' },
  del: { type: 'strike' },
  strike: { type: 'strike' },
  code: { type: 'code' },
};
const BLOCK = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'table', 'thead', 'tbody', 'tfoot', 'tr', 'td', 'th', 'div', 'blockquote', 'pre', 'hr', 'section', 'article', 'body', 'html']);

function inline(nodes: (El | string)[], marks: Mark[] = []): PmNode[] {
  const out: PmNode[] = [];
  for (const n of nodes) {
    if (typeof n === 'string') {
      const t = n.replace(/[\r\n\t]+/g, ' ');
      if (t) out.push(textNode(t, marks.length ? marks : undefined));
    } else if (n.tag === 'br') out.push({ type: 'hardBreak' });
    else if (n.tag === 'img') continue;
    else if (n.tag === 'a' && n.attrs.href && /^(https?:|mailto:)/i.test(n.attrs.href)) {
      out.push(...inline(n.children, [...marks, { type: 'link', attrs: { href: n.attrs.href } }]));
    } else {
      const m = MARK_OF[n.tag];
      out.push(...inline(n.children, m && !marks.some((x) => x.type === m.type) ? [...marks, m] : marks));
    }
  }
  return out;
}

const para = (content: PmNode[]): PmNode => ({ type: 'paragraph', content });

/** Blocks of a container; runs of inline content become paragraphs. */
function blocks(nodes: (El | string)[]): PmNode[] {
  const out: PmNode[] = [];
  let run: (El | string)[] = [];
  const flush = () => {
    const content = inline(run);
    run = [];
    if (content.some((c) => c.type !== 'text' || (c.text ?? '').trim())) out.push(para(trimEnds(content)));
  };
  for (const n of nodes) {
    if (typeof n === 'string' || !BLOCK.has(n.tag)) {
      run.push(n);
      continue;
    }
    flush();
    out.push(...block(n));
  }
  flush();
  return out;
}

function trimEnds(content: PmNode[]): PmNode[] {
  const c = content.map((n) => ({ ...n }));
  // trimStart/trimEnd, not /\s+$/: that pattern restarts at every space of a long run that is
  // followed by text — quadratic (a 1 KB .docx with 40,000 spaces stalled the process 1.6 s).
  if (c[0]?.type === 'text') c[0].text = c[0].text!.trimStart();
  const last = c[c.length - 1];
  if (last?.type === 'text') last.text = last.text!.trimEnd();
  return c.filter((n) => n.type !== 'text' || n.text);
}

function block(el: El): PmNode[] {
  const h = /^h([1-6])$/.exec(el.tag);
  if (h) return [{ type: 'heading', attrs: { level: Number(h[1]) }, content: trimEnds(inline(el.children)) }];
  switch (el.tag) {
    case 'p':
      return [para(trimEnds(inline(el.children)))];
    case 'pre':
      return [{ type: 'codeBlock', content: [textNode(textOf(el))].filter((t) => t.text) }];
    case 'hr':
      return [{ type: 'horizontalRule' }];
    case 'blockquote':
      return [{ type: 'blockquote', content: nonEmpty(blocks(el.children)) }];
    case 'ul':
    case 'ol': {
      const items = el.children.filter((c): c is El => typeof c !== 'string' && c.tag === 'li').map(listItem);
      if (!items.length) return [];
      return [el.tag === 'ul' ? { type: 'bulletList', content: items } : { type: 'orderedList', attrs: { start: 1 }, content: items }];
    }
    case 'li':
      return blocks(el.children);
    case 'table':
      return table(el);
    default:
      return blocks(el.children);
  }
}

function listItem(li: El): PmNode {
  const content = blocks(li.children);
  // A list item starts with a paragraph (schema: "paragraph block*").
  if (content[0]?.type !== 'paragraph') content.unshift(para([]));
  return { type: 'listItem', content };
}

function nonEmpty(content: PmNode[]): PmNode[] {
  return content.length ? content : [para([])];
}

function table(el: El): PmNode[] {
  const rows: El[] = [];
  const collect = (e: El) => {
    for (const c of e.children) {
      if (typeof c === 'string') continue;
      if (c.tag === 'tr') rows.push(c);
      else if (['thead', 'tbody', 'tfoot'].includes(c.tag)) collect(c);
    }
  };
  collect(el);
  const content = rows
    .map((tr) => ({
      type: 'tableRow',
      content: tr.children
        .filter((c): c is El => typeof c !== 'string' && (c.tag === 'td' || c.tag === 'th'))
        .map((cell) => ({
          type: cell.tag === 'th' ? 'tableHeader' : 'tableCell',
          attrs: { colspan: posInt(cell.attrs.colspan), rowspan: posInt(cell.attrs.rowspan), colwidth: null },
          content: nonEmpty(blocks(cell.children)),
        })),
    }))
    .filter((r) => r.content.length);
  return content.length ? [{ type: 'table', content }] : [];
}

const posInt = (v: string | undefined) => {
  const n = Number(v);
  return Number.isInteger(n) && n >= 1 && n <= 50 ? n : 1;
};

function textOf(el: El | string): string {
  return typeof el === 'string' ? el : el.children.map(textOf).join('');
}

export function htmlToDoc(html: string): PmNode {
  const content = blocks(parseHtml(html).children);
  return { type: 'doc', content: nonEmpty(content) };
}
