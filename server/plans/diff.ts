// A readable diff of two plan versions: paragraphs are matched first (LCS), then a changed
// paragraph is diffed by words — where a "word" in Chinese is a single character, since
// Chinese has no spaces and a whole-sentence replacement would hide a one-character edit.
import { plainText, type PmNode } from './pmSchema.js';

export type InlineOp = { op: '=' | '+' | '-'; text: string };
export type BlockDiff =
  | { kind: 'same'; text: string }
  | { kind: 'added'; text: string }
  | { kind: 'removed'; text: string }
  | { kind: 'changed'; before: string; after: string; parts: InlineOp[] };

/** The document as lines of text, one per paragraph/heading/list item/table row. */
export function docLines(doc: PmNode): string[] {
  const out: string[] = [];
  const walk = (n: PmNode, prefix: string) => {
    switch (n.type) {
      case 'heading':
        out.push(`${'#'.repeat(Number(n.attrs?.level ?? 1))} ${plainText(n)}`);
        return;
      case 'paragraph':
      case 'codeBlock':
        if (plainText(n).trim()) out.push(prefix + plainText(n));
        return;
      case 'tableRow':
        out.push('| ' + (n.content ?? []).map((c) => plainText(c).replace(/\s+/g, ' ').trim()).join(' | ') + ' |');
        return;
      case 'listItem': {
        for (const c of n.content ?? []) walk(c, prefix || '• ');
        return;
      }
      default:
        for (const c of n.content ?? []) walk(c, prefix);
    }
  };
  walk(doc, '');
  return out;
}

const CJK = /[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef\u{20000}-\u{2fa1f}]/u;

/** Words for the diff: each CJK character alone, latin words and numbers whole, spaces as runs. */
export function tokenize(s: string): string[] {
  const out: string[] = [];
  const re = /[A-Za-z0-9_'’.-]+|\s+|./gsu;
  for (const m of s.matchAll(re)) {
    const t = m[0];
    if (t.length > 1 && CJK.test(t)) out.push(...Array.from(t));
    else out.push(t);
  }
  return out;
}

/** LCS table diff of two sequences; small inputs only (the caller bounds n × m). */
function lcsDiff<T>(a: T[], b: T[], eq: (x: T, y: T) => boolean): { op: '=' | '+' | '-'; item: T }[] {
  // Trim the common prefix and suffix first: most edits touch a small middle part.
  let pre = 0;
  while (pre < a.length && pre < b.length && eq(a[pre], b[pre])) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && eq(a[a.length - 1 - suf], b[b.length - 1 - suf])) suf++;
  const A = a.slice(pre, a.length - suf);
  const B = b.slice(pre, b.length - suf);
  const n = A.length;
  const m = B.length;
  const ops: { op: '=' | '+' | '-'; item: T }[] = a.slice(0, pre).map((item) => ({ op: '=' as const, item }));
  if (n * m > 4_000_000) {
    // Too large to align: everything in the middle changed.
    for (const item of A) ops.push({ op: '-', item });
    for (const item of B) ops.push({ op: '+', item });
  } else {
    const w = m + 1;
    const L = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--)
      for (let j = m - 1; j >= 0; j--)
        L[i * w + j] = eq(A[i], B[j]) ? L[(i + 1) * w + j + 1] + 1 : Math.max(L[(i + 1) * w + j], L[i * w + j + 1]);
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (eq(A[i], B[j])) {
        ops.push({ op: '=', item: A[i] });
        i++;
        j++;
      } else if (L[(i + 1) * w + j] >= L[i * w + j + 1]) ops.push({ op: '-', item: A[i++] });
      else ops.push({ op: '+', item: B[j++] });
    }
    while (i < n) ops.push({ op: '-', item: A[i++] });
    while (j < m) ops.push({ op: '+', item: B[j++] });
  }
  for (const item of a.slice(a.length - suf)) ops.push({ op: '=', item });
  return ops;
}

/** Word-level (character-level for CJK) diff of two strings, runs merged. */
export function diffText(before: string, after: string): InlineOp[] {
  const ops = lcsDiff(tokenize(before), tokenize(after), (x, y) => x === y);
  const out: InlineOp[] = [];
  for (const { op, item } of ops) {
    const last = out[out.length - 1];
    if (last && last.op === op) last.text += item;
    else out.push({ op, text: item });
  }
  return out;
}

function similarity(parts: InlineOp[]): number {
  let same = 0;
  let all = 0;
  for (const p of parts) {
    all += p.text.length;
    if (p.op === '=') same += p.text.length * 2;
  }
  return all ? same / (all + same / 2) : 1;
}

export function diffDocs(before: PmNode, after: PmNode): BlockDiff[] {
  return diffLines(docLines(before), docLines(after));
}

export function diffLines(a: string[], b: string[]): BlockDiff[] {
  const ops = lcsDiff(a, b, (x, y) => x === y);
  const out: BlockDiff[] = [];
  for (let k = 0; k < ops.length; ) {
    if (ops[k].op === '=') {
      out.push({ kind: 'same', text: ops[k++].item });
      continue;
    }
    // A run of removals and additions: pair them up in order as changed paragraphs.
    const removed: string[] = [];
    const added: string[] = [];
    while (k < ops.length && ops[k].op !== '=') (ops[k].op === '-' ? removed : added).push(ops[k++].item);
    const pairs = Math.min(removed.length, added.length);
    for (let p = 0; p < pairs; p++) {
      const parts = diffText(removed[p], added[p]);
      if (similarity(parts) >= 0.3) out.push({ kind: 'changed', before: removed[p], after: added[p], parts });
      else out.push({ kind: 'removed', text: removed[p] }, { kind: 'added', text: added[p] });
    }
    for (const t of removed.slice(pairs)) out.push({ kind: 'removed', text: t });
    for (const t of added.slice(pairs)) out.push({ kind: 'added', text: t });
  }
  return out;
}
