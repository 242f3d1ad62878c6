// The report as tables: what the .xlsx has as sheets and the .docx and PDF as tables, built once
// so the three formats show the same figures. Chinese labels: the documents are what schools and
// the bureau submit.
import { formatHhmm, schoolDayOf } from '../../contract/time.js';
import type { Role } from '../../contract/domain.js';
import type { ActivityKind } from '../../contract/workspace/targets.js';
import type { UsageModule, UsageTerminal } from '../../contract/workspace/usage.js';
import type { PairingReport, ReportData } from '../../contract/workspace/report.js';

export const KIND_ZH: Record<ActivityKind, string> = {
  sync_lesson: '同步课堂',
  send_teaching: '送教下乡',
  remote_course: '专递课堂',
  collective_prep: '集体备课',
  teaching_diagnosis: '教学诊断',
  thematic_research: '主题研修',
  offline_research: '线下教研',
  teacher_visit: '教师互访',
  student_exchange: '学生互访',
  mentoring: '师徒结对',
  report: '报告',
};
export const MODULE_ZH: Record<UsageModule, string> = {
  sync_lesson: '同步课堂',
  collective_prep: '集体备课',
  research: '教研',
  recording: '录像',
  remote_course: '专递课堂',
  workspace: '教共体工作台',
};
export const TERMINAL_ZH: Record<UsageTerminal, string> = { projector: '教室终端', pc: '教师电脑', mobile: '移动端' };
export const ROLE_ZH: Record<Role, string> = {
  community_admin: '教共体管理员',
  school_admin: '学校管理员',
  teacher: '教师',
  classroom: '教室终端',
  researcher: '教研员',
  bureau_reviewer: '教育局核验员',
};
const STATUS_ZH = { pending: '待核验', accepted: '已通过', returned: '已退回' } as const;

export type Cell = string | number | null;

export interface ReportTable {
  /** The .xlsx sheet's name. */
  key: string;
  title: string;
  header: string[];
  rows: Cell[][];
}

export const pairingName = (p: Pick<PairingReport, 'citySchool' | 'ruralSchool'>) => `${p.citySchool.name} — ${p.ruralSchool.name}`;
const hhmm = (iso: string | null) => (iso ? formatHhmm(schoolDayOf(new Date(iso)).min) : '');
const pct = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 10);

export function reportTitle(d: ReportData): string {
  const who = d.kind === 'pairing' && d.pairings[0] ? pairingName(d.pairings[0]) : d.community.name;
  return `${d.year} 年度教共体捆绑考核报告：${who}`;
}

export function reportTables(d: ReportData): ReportTable[] {
  const each = <T>(f: (p: PairingReport) => T[]) => d.pairings.flatMap(f);
  const targets: Cell[][] = [
    ...d.communityTargets.map((t) => ['（教共体）', t.title, t.evaluation.count, t.evaluation.threshold, t.evaluation.percent, t.evaluation.complete ? '是' : '否', t.evaluation.milestones.filter((m) => m.overdue).map((m) => m.by).join('、')]),
    ...each((p) =>
      p.targets.map((t) => [pairingName(p), t.title, t.evaluation.count, t.evaluation.threshold, t.evaluation.percent, t.evaluation.complete ? '是' : '否', t.evaluation.milestones.filter((m) => m.overdue).map((m) => m.by).join('、')]),
    ),
  ];
  const usage = d.usage;
  return [
    { key: 'targets', title: '目标与完成情况', header: ['结对', '目标', '完成数', '目标数', '完成率(%)', '全部达成', '逾期里程碑'], rows: targets },
    {
      key: 'activities',
      title: '活动清单',
      header: ['结对', '日期', '类型', '活动', '学校', '核验', '链接', '佐证材料'],
      rows: each((p) =>
        p.activities.map((a) => [pairingName(p), a.day, KIND_ZH[a.kind], a.title, a.schoolName, a.status ? STATUS_ZH[a.status] : '—', a.links.join(' '), a.evidence.map((e) => e.fileName).join('、')]),
      ),
    },
    {
      key: 'attendance',
      title: '同步课堂出勤',
      header: ['结对', '日期', '课题', '教室', '城/乡', '首次进入', '最后离开', '在线(分钟)', '两校共同在线(分钟)', '计入所需(分钟)', '计入'],
      rows: each((p) =>
        p.lessons.flatMap((l) =>
          l.attendance.map((a) => [pairingName(p), l.day, l.title, a.classroomName, a.side === 'city' ? '城区' : '乡村', hhmm(a.firstJoin), hhmm(a.lastLeave), a.connectedMin, l.jointMin, l.neededMin, l.counts ? '是' : '否']),
        ),
      ),
    },
    {
      key: 'participation',
      title: '乡村课堂参与度（来自课堂记录）',
      header: ['结对', '乡村教室', '课节', '出席课节', '在线(分钟)', '举手(次)', '上台(分钟)', '答题', '推送', '答题率(%)', '已分析课节', '发言占比(%)', '发言(秒)'],
      rows: each((p) =>
        p.participation.map((c) => [pairingName(p), c.classroomName, c.lessons, c.attended, c.connectedMin, c.hands, c.stageMin, c.quizzesAnswered, c.quizzesAsked, pct(c.quizRate), c.analysedLessons, pct(c.talkShare), c.speechS]),
      ),
    },
    {
      key: 'participation_lessons',
      title: '乡村课堂参与度（逐节）',
      header: ['结对', '日期', '课题', '乡村教室', '在线(分钟)', '举手(次)', '上台(分钟)', '答题', '推送', '发言占比(%)'],
      rows: each((p) => p.lessons.flatMap((l) => l.rural.map((r) => [pairingName(p), l.day, l.title, r.classroomName, r.connectedMin, r.hands, r.stageMin, r.quizzesAnswered, r.quizzesAsked, pct(r.talkShare)]))),
    },
    {
      key: 'mentors',
      title: '师徒结对',
      header: ['结对', '师傅', '徒弟', '学科', '起始'],
      rows: each((p) => p.mentorPairs.map((m) => [pairingName(p), m.mentorName, m.menteeName, m.subject, m.since])),
    },
    {
      key: 'usage',
      title: '平台使用（人 / 人次）',
      header: ['维度', '项目', '月份', '人', '人次'],
      rows: [
        ...usage.byMonthModule.map((u) => ['模块', MODULE_ZH[u.module], u.month, u.people, u.visits]),
        ...usage.byMonthRole.map((u) => ['角色', ROLE_ZH[u.role], u.month, u.people, u.visits]),
        ...usage.byMonthTerminal.map((u) => ['终端', TERMINAL_ZH[u.terminal], u.month, u.people, u.visits]),
        ...usage.byMonthSchool.map((u) => ['学校', u.schoolName || '（无学校）', u.month, u.people, u.visits]),
        ...usage.byModule.map((u) => ['模块（全年）', MODULE_ZH[u.module], '全年', u.people, u.visits]),
        ['合计', '', '全年', usage.total.people, usage.total.visits],
      ],
    },
  ];
}

/** The lines above the tables: who, when, and each pairing's rounds and leaders. */
export function reportSummary(d: ReportData): string[] {
  const lines = [
    `教共体：${d.community.name}${d.community.bureauName ? `（${d.community.bureauName}）` : ''}`,
    `年度：${d.year}；统计截至 ${d.asOf}；生成于 ${d.generatedAt.slice(0, 10)}`,
  ];
  for (const p of d.pairings) {
    const counted = p.lessons.filter((l) => l.counts).length;
    const rounds = p.rounds.map((r) => `第${r.round}轮（${r.startsOn}—${r.endsOn}${r.theme ? `，${r.theme}` : ''}）`).join('；');
    const leaders = p.leaders.map((l) => `${l.name}：${l.duty}`).join('；');
    lines.push(`结对 ${pairingName(p)}：同步课堂 ${p.lessons.length} 节，计入 ${counted} 节${rounds ? `；${rounds}` : ''}${leaders ? `；负责人 ${leaders}` : ''}`);
  }
  return lines;
}
