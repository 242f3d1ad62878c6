// 集体备课 pure parts: readable diff (character-level for Chinese), 教学过程 phase extraction,
// .docx round trip (headings, lists, a table, Chinese text) and Yjs update validation.
import { describe, expect, it } from 'vitest';
import mammoth from 'mammoth';
import * as Y from 'yjs';
import { diffDocs, diffText, tokenize } from '../../server/plans/diff.js';
import { extractPhases } from '../../server/plans/phases.js';
import { docToDocx, docxToDoc } from '../../server/plans/docx.js';
import { docToPdf } from '../../server/plans/pdf.js';
import { htmlToDoc } from '../../server/plans/html.js';
import { heading, para, planSchema, type PmNode } from '../../server/plans/pmSchema.js';
import { planTemplate, PLAN_SECTIONS } from '../../server/plans/template.js';
import { docFromUpdates, docToJSON, replaceContent, stateFromJSON, validateUpdate } from '../../server/plans/ydoc.js';
import { AppError } from '../../server/contract/errors.js';
import { PLAN_LIMITS } from '../../server/contract/planEvents.js';

const doc = (...content: PmNode[]): PmNode => ({ type: 'doc', content });

describe('diff', () => {
  it('splits Chinese into characters and keeps latin words whole', () => {
    expect(tokenize('认识分数 fractions 1/2')).toEqual(['认', '识', '分', '数', ' ', 'fractions', ' ', '1', '/', '2']);
  });

  it('shows a one-character change inside a Chinese sentence as one character', () => {
    const parts = diffText('学生能够认识几分之一', '学生能够理解几分之一');
    expect(parts).toEqual([
      { op: '=', text: '学生能够' },
      { op: '-', text: '认识' },
      { op: '+', text: '理解' },
      { op: '=', text: '几分之一' },
    ]);
  });

  it('matches paragraphs, then marks added, removed and changed ones', () => {
    const a = doc(heading(2, '教学目标'), para('认识几分之一。'), para('会比较分数大小。'), para('这一段会被删除，完全不同的内容'));
    const b = doc(heading(2, '教学目标'), para('理解几分之一。'), para('会比较分数大小。'), para('新增：能用分数描述生活中的现象'));
    const blocks = diffDocs(a, b);
    expect(blocks[0]).toEqual({ kind: 'same', text: '## 教学目标' });
    expect(blocks[1]).toMatchObject({ kind: 'changed', before: '认识几分之一。', after: '理解几分之一。' });
    expect(blocks[2]).toEqual({ kind: 'same', text: '会比较分数大小。' });
    expect(blocks.slice(3).map((b) => b.kind).sort()).toEqual(['added', 'removed']);
  });

  it('diffs table rows and list items as lines', () => {
    const t = (cells: string[]): PmNode => ({
      type: 'table',
      content: [{ type: 'tableRow', content: cells.map((c) => ({ type: 'tableCell', content: [para(c)] })) }],
    });
    const blocks = diffDocs(doc(t(['环节', '5分钟'])), doc(t(['环节', '8分钟'])));
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toMatchObject({ kind: 'changed', before: '| 环节 | 5分钟 |', after: '| 环节 | 8分钟 |' });
  });
});

describe('phases', () => {
  it('reads the template: five phases with their minutes', () => {
    expect(extractPhases(planTemplate('分数'))).toEqual([
      { title: '导入新课', minutes: 5 },
      { title: '探究新知', minutes: 15 },
      { title: '巩固练习', minutes: 12 },
      { title: '课堂小结', minutes: 5 },
      { title: '布置作业', minutes: 3 },
    ]);
  });

  it('accepts other ways of writing minutes and stops at the next section', () => {
    const d = doc(
      heading(1, '教案'),
      heading(3, '不是环节（9分钟）'),
      heading(2, '教学过程'),
      heading(3, '一、情境导入 (3 min)'),
      para('出示图片'),
      heading(4, '小活动（1分钟）'),
      heading(3, '二、合作探究：8分'),
      heading(3, '三、总结'),
      heading(2, '作业设计'),
      heading(3, '练习（10分钟）'),
    );
    expect(extractPhases(d)).toEqual([
      { title: '一、情境导入', minutes: 3 },
      { title: '二、合作探究', minutes: 8 },
      { title: '三、总结', minutes: null },
    ]);
  });

  it('finds nothing when there is no 教学过程 section', () => {
    expect(extractPhases(doc(heading(2, '教学目标'), heading(3, '导入（5分钟）')))).toEqual([]);
  });
});

describe('docx', () => {
  const sample = doc(
    heading(1, '分数的初步认识'),
    heading(2, '教学目标'),
    { type: 'bulletList', content: [{ type: 'listItem', content: [para('认识几分之一')] }, { type: 'listItem', content: [para('会读写分数')] }] },
    { type: 'paragraph', content: [{ type: 'text', text: '重点：', marks: [{ type: 'bold' }] }, { type: 'text', text: '理解平均分' }] },
    {
      type: 'table',
      content: [
        { type: 'tableRow', content: [{ type: 'tableCell', content: [para('环节')] }, { type: 'tableCell', content: [para('时间')] }] },
        { type: 'tableRow', content: [{ type: 'tableCell', content: [para('导入')] }, { type: 'tableCell', content: [para('5分钟')] }] },
      ],
    },
  );

  it('exports headings, a list, bold and a table that mammoth reads back', async () => {
    const buf = await docToDocx(sample, '分数的初步认识');
    const html = (await mammoth.convertToHtml({ buffer: buf })).value;
    expect(html).toContain('<h1>分数的初步认识</h1>');
    expect(html).toContain('<h2>教学目标</h2>');
    expect(html).toMatch(/<ul><li>认识几分之一<\/li><li>会读写分数<\/li><\/ul>/);
    expect(html).toContain('<strong>重点：</strong>理解平均分');
    expect(html).toMatch(/<table><tr><td><p>环节<\/p><\/td><td><p>时间<\/p><\/td><\/tr><tr><td><p>导入<\/p><\/td><td><p>5分钟<\/p><\/td><\/tr><\/table>/);
  });

  it('round-trips: export then import gives the same document', async () => {
    const back = await docxToDoc(await docToDocx(sample, 'x'));
    const norm = (d: PmNode) => JSON.stringify(planSchema.nodeFromJSON(d).toJSON());
    expect(norm(back.doc)).toBe(norm(sample));
  });

  it('turns mammoth-style HTML with entities and nested lists into a valid plan', () => {
    const d = htmlToDoc('<h2>教学准备 &amp; 材料</h2><ol><li>卡片<ul><li>红色</li></ul></li></ol><p>A&lt;B<br />下一行</p><table><tr><th>a</th></tr></table>');
    expect(() => planSchema.nodeFromJSON(d).check()).not.toThrow();
    expect(d.content?.[0]).toEqual(heading(2, '教学准备 & 材料'));
    expect(d.content?.[1]?.type).toBe('orderedList');
    expect(d.content?.[1]?.content?.[0]?.content?.[1]?.type).toBe('bulletList');
    expect(d.content?.[2]?.content?.map((c) => c.type)).toEqual(['text', 'hardBreak', 'text']);
    expect(d.content?.[3]?.content?.[0]?.content?.[0]?.type).toBe('tableHeader');
  });

  it('refuses a file that is not a .docx with a clear error', async () => {
    await expect(docxToDoc(Buffer.from('not a zip'))).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('writes a PDF with the CJK font embedded', async () => {
    const pdf = await docToPdf(sample, '分数');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.toString('latin1')).toMatch(/NotoSansCJKsc/);
  });
});

describe('Yjs documents', () => {
  it('the template holds every section', () => {
    const d = docToJSON(docFromUpdates([stateFromJSON(planTemplate('分数'))]));
    const headings = d.content!.filter((n) => n.type === 'heading' && n.attrs?.level === 2).map((n) => n.content?.[0]?.text);
    expect(headings).toEqual([...PLAN_SECTIONS]);
  });

  it('replaceContent makes the document equal the target, as one update another copy can apply', () => {
    const a = docFromUpdates([stateFromJSON(planTemplate('甲'))]);
    const b = docFromUpdates([Y.encodeStateAsUpdate(a)]);
    const target = doc(heading(1, '乙'), para('新的内容'));
    const update = replaceContent(a, target);
    Y.applyUpdate(b, update);
    expect(docToJSON(b)).toEqual(docToJSON(a));
    expect(docToJSON(b).content?.[1]).toEqual(para('新的内容'));
  });

  it('accepts a real editor update', () => {
    const a = docFromUpdates([stateFromJSON(planTemplate('甲'))]);
    const before = Y.encodeStateVector(a);
    (a.getXmlFragment('default').get(1) as Y.XmlElement).insert(0, [new Y.XmlText('加一句')]);
    expect(() => validateUpdate(Y.encodeStateAsUpdate(a, before))).not.toThrow();
  });

  const code = (f: () => void) => {
    try {
      f();
    } catch (err) {
      return err instanceof AppError ? err.code : 'other';
    }
    return 'none';
  };

  it('refuses garbage, truncated updates, other roots, foreign types and oversized updates', () => {
    expect(code(() => validateUpdate(new Uint8Array([1, 2, 3, 250, 255, 255, 255, 255, 7])))).toBe('BAD_REQUEST');
    const a = new Y.Doc();
    a.getXmlFragment('default').insert(0, [new Y.XmlElement('paragraph')]);
    const good = Y.encodeStateAsUpdate(a);
    expect(code(() => validateUpdate(good.subarray(0, good.length - 3)))).toBe('BAD_REQUEST');
    const other = new Y.Doc();
    other.getMap('evil').set('x', 1);
    expect(code(() => validateUpdate(Y.encodeStateAsUpdate(other)))).toBe('BAD_REQUEST');
    const foreign = new Y.Doc();
    foreign.getXmlFragment('default').insert(0, [new Y.XmlElement('p')]);
    (foreign.getXmlFragment('default').get(0) as Y.XmlElement).setAttribute('x', 'y');
    const withMap = new Y.Doc();
    Y.applyUpdate(withMap, Y.encodeStateAsUpdate(foreign));
    const sv = Y.encodeStateVector(withMap);
    (withMap.getXmlFragment('default') as unknown as { insert(i: number, c: unknown[]): void }).insert(0, [new Y.XmlHook('hook')]);
    expect(code(() => validateUpdate(Y.encodeStateAsUpdate(withMap, sv)))).toBe('BAD_REQUEST');
    const script = new Y.Doc();
    script.getXmlFragment('default').insert(0, [new Y.XmlElement('script')]);
    expect(code(() => validateUpdate(Y.encodeStateAsUpdate(script)))).toBe('BAD_REQUEST');
    const mark = new Y.Doc();
    const xt = new Y.XmlText('');
    mark.getXmlFragment('default').insert(0, [new Y.XmlElement('paragraph')]);
    (mark.getXmlFragment('default').get(0) as Y.XmlElement).insert(0, [xt]);
    xt.insert(0, '红字', { color: { value: 'red' } });
    expect(code(() => validateUpdate(Y.encodeStateAsUpdate(mark)))).toBe('BAD_REQUEST');
    const ok = new Y.Doc();
    ok.getXmlFragment('default').insert(0, [new Y.XmlElement('paragraph')]);
    const okText = new Y.XmlText('');
    (ok.getXmlFragment('default').get(0) as Y.XmlElement).insert(0, [okText]);
    okText.insert(0, '粗体', { bold: {} });
    expect(code(() => validateUpdate(Y.encodeStateAsUpdate(ok)))).toBe('none');
    const big = new Y.Doc();
    big.getXmlFragment('default').insert(0, [new Y.XmlText('字'.repeat(PLAN_LIMITS.updateBytesMax / 2))]);
    expect(code(() => validateUpdate(Y.encodeStateAsUpdate(big)))).toBe('TOO_LARGE');
  });
});
