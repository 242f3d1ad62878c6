// 评课报告 as .docx (docx package). Charts are PNGs from ./raster.ts; the figures are also given
// as text and tables so the document reads without them.
import { Document, HeadingLevel, ImageRun, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';
import { stCurvePng, talkStripPng } from './raster.js';
import { fix, lowConfidenceCount, pct, ST_METHOD_LABEL, type ReportData } from './report.js';

const p = (text: string) => new Paragraph({ children: [new TextRun(text)] });
const h = (text: string, level: (typeof HeadingLevel)[keyof typeof HeadingLevel] = HeadingLevel.HEADING_2) => new Paragraph({ text, heading: level });

function table(rows: string[][]): Table {
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: rows.map((r, i) => new TableRow({ children: r.map((c) => new TableCell({ children: [new Paragraph({ children: [new TextRun({ text: c, bold: i === 0 })] })] })) })),
  });
}

export async function reportDocx(d: ReportData): Promise<Buffer> {
  const { lesson, analysis: a } = d;
  const f = a.st.figures;
  const names = Object.fromEntries(d.scores.rubric.criteria.map((c) => [c.id, c.name]));
  const doc = new Document({
    creator: 'Tongbu',
    title: `评课报告 ${lesson.title}`,
    styles: { default: { document: { run: { font: 'Noto Sans CJK SC' } } } },
    sections: [
      {
        children: [
          h(`评课报告：${lesson.title}`, HeadingLevel.TITLE),
          p(`学科 ${lesson.subject} · ${lesson.grade} 年级 · 授课教师 ${lesson.teacherName} · ${lesson.startedAt ?? lesson.scheduledAt}`),
          p(`时长 ${(a.durationMs / 60000).toFixed(1)} 分钟`),
          h('S-T 分析'),
          p(`编码方法：${ST_METHOD_LABEL[a.st.method]}；低置信度样本 ${lowConfidenceCount(a)} 个`),
          p(`采样间隔 ${a.st.intervalS} 秒，N = ${f.n}，NT = ${f.nT}，g = ${f.runs}，Rt = ${fix(f.rt)}，Ch = ${fix(f.ch)}，教学模式：${f.type ?? '—'}`),
          p(`自动编码：Rt = ${fix(a.st.auto.rt)}，Ch = ${fix(a.st.auto.ch)}，${a.st.auto.type ?? '—'}`),
          new Paragraph({ children: [new ImageRun({ type: 'png', data: stCurvePng(a.st.curve), transformation: { width: 240, height: 240 } })] }),
          p('S-T 曲线（横轴 T，纵轴 S）'),
          h('课堂话语（3 秒网格）'),
          p(`教师讲话 ${pct(a.talk.teacherPct)} · 学生讲话 ${pct(a.talk.studentPct)} · 沉寂 ${pct(a.talk.silencePct)}`),
          new Paragraph({ children: [new ImageRun({ type: 'png', data: talkStripPng(a.talk.cells), transformation: { width: 560, height: 40 } })] }),
          table([['教室', '发言（秒）', '占课堂'], ...a.talk.classrooms.map((c) => [a.classroomNames[c.classroomId] ?? c.classroomId, c.speechS.toFixed(0), pct(c.share)])]),
          h('评课标注（按编码）'),
          d.codeSummary.length ? table([['编码', '条数', '评课人'], ...d.codeSummary.map((s) => [s.code, String(s.count), String(s.authors)])]) : p('暂无标注'),
          h('量表评分'),
          table([
            ['维度', '平均', '标准差', '人数'],
            ...d.scores.summary.criteria.map((c) => [names[c.criterionId] ?? c.criterionId, fix(c.mean), fix(c.sd), String(c.n)]),
          ]),
          p(`评分人 ${d.scores.summary.raters} 位；总体平均 ${fix(d.scores.summary.overall)}；Kendall W = ${fix(d.scores.summary.kendallW)}`),
          h('教研组结论'),
          ...(d.sessions.length ? d.sessions.flatMap((s) => [p(`${s.groupName} · ${s.title}`), p(s.conclusions || '—'), ...(s.minutes ? [p(s.minutes)] : [])]) : [p('暂无')]),
        ],
      },
    ],
  });
  return Packer.toBuffer(doc);
}
