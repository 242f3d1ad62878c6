// The main thread's half of an activity import: the rows the parse worker read
// (activityImportRows.ts) get their paired school and teachers looked up by name among this
// school's pairings and the community's staff, and each complete body is checked once more with
// createActivityBody — the schema a create by hand passes — before anything is written. Pure:
// the route reads the directory and writes the rows (activityImportRepo.ts).
import { createActivityBody } from '../contract/workspace/activities.js';
import { IMPORT_COLUMN_ZH, IMPORT_COLUMNS, type ActivityImportIssue, type ActivityImportRow, type ImportColumn } from '../contract/workspace/activityImport.js';
import { issue, issuesOfZod, type ParsedActivityRows } from './activityImportRows.js';
import { activityKey, type ImportDirectory } from './activityImportRepo.js';

export interface ResolvedImport {
  rows: ActivityImportRow[];
  errors: ActivityImportIssue[];
  warnings: ActivityImportIssue[];
}

const squash = (s: string) => s.replace(/\s+/g, '');
/** "王老师（滨江实验小学）": a name with its school, when two schools have a 王老师. */
const NAME_WITH_SCHOOL = /^(.+?)[（(]([^（()）]+)[)）]$/;

export function resolveDrafts(parsed: ParsedActivityRows, dir: ImportDirectory, schoolId: string, logged: ReadonlySet<string>): ResolvedImport {
  const header = (c: ImportColumn) => parsed.headers[c] ?? IMPORT_COLUMN_ZH[c];
  const partners = new Set(dir.pairings.map((p) => p.partnerId));
  const partnerList = dir.pairings.map((p) => p.partnerName).join('、') || '—';
  const rows: ActivityImportRow[] = [];
  const errors: ActivityImportIssue[] = [...parsed.errors];
  const warnings: ActivityImportIssue[] = [];
  const inFile = new Map<string, number>();
  // Indexed once: a file may name a hundred teachers on each of 2000 rows.
  const byUsername = groupBy(dir.staff, (u) => u.username);
  const byName = groupBy(dir.staff, (u) => squash(u.displayName));

  for (const d of parsed.drafts) {
    const before = errors.length;
    const bad = new Set<ImportColumn>();

    let pairing: ImportDirectory['pairings'][number] | undefined;
    if (d.pairedSchool) {
      pairing = dir.pairings.find((p) => squash(p.partnerName) === squash(d.pairedSchool!));
      if (!pairing) {
        bad.add('pairedSchool');
        errors.push(
          issue(d.row, header('pairedSchool'), 'unknown_paired_school', `本校没有与“${d.pairedSchool.slice(0, 60)}”的结对（本校的结对学校：${partnerList}）`, `this school has no pairing with “${d.pairedSchool.slice(0, 60)}” (its paired schools: ${partnerList})`),
        );
      }
    }

    const teachers: ImportDirectory['staff'] = [];
    for (const name of d.teacherNames) {
      const m = NAME_WITH_SCHOOL.exec(name);
      const person = squash(m ? m[1] : name);
      let found = [...new Set([...(byUsername.get(person) ?? []), ...(byName.get(person) ?? [])])];
      if (m) found = found.filter((u) => squash(u.schoolName) === squash(m[2]));
      // The same name in several schools: this school's own staff first, then its partners'.
      if (found.length > 1 && found.some((u) => u.schoolId === schoolId)) found = found.filter((u) => u.schoolId === schoolId);
      if (found.length > 1 && found.some((u) => partners.has(u.schoolId))) found = found.filter((u) => partners.has(u.schoolId));
      const shown = name.slice(0, 60);
      if (found.length === 0) {
        bad.add('teachers');
        errors.push(issue(d.row, header('teachers'), 'unknown_teacher', `教共体的学校里没有教师“${shown}”（请填写平台上的姓名或登录名）`, `no teacher “${shown}” in the community's schools (write the name or username used on the platform)`));
      } else if (found.length > 1) {
        bad.add('teachers');
        const where = found.map((u) => u.schoolName).join('、');
        errors.push(issue(d.row, header('teachers'), 'ambiguous_teacher', `“${shown}”有多位（${where}），请写成“${shown}（学校名）”或填写登录名`, `more than one “${shown}” (${where}): write “${shown} (school)” or the username`));
      } else teachers.push(found[0]);
    }

    const body = {
      kind: d.kind,
      day: d.day,
      place: d.place,
      people: d.people,
      description: d.description,
      subject: d.subject,
      teacherIds: [...new Set(teachers.map((u) => u.id))],
      pairingId: pairing?.id ?? null,
    };
    const checked = createActivityBody.safeParse(body);
    if (!checked.success) errors.push(...issuesOfZod(d.row, parsed.headers, checked.error, bad));
    if (errors.length > before || !checked.success) continue;

    const key = activityKey(checked.data);
    const again = inFile.get(key);
    if (again !== undefined) {
      warnings.push(issue(d.row, null, 'already_logged', `与第 ${again} 行是同一天、同类型、同地点的活动`, `same day, type and place as row ${again}`));
    } else if (logged.has(key)) {
      warnings.push(issue(d.row, null, 'already_logged', '本校已登记过同一天、同类型、同地点的活动（是否重复导入？）', 'this school has already logged an activity of this day, type and place (imported twice?)'));
    }
    if (again === undefined) inFile.set(key, d.row);
    rows.push({
      row: d.row,
      ...checked.data,
      pairedSchoolName: pairing?.partnerName ?? null,
      teacherNames: teachers.filter((u, i) => teachers.findIndex((x) => x.id === u.id) === i).map((u) => u.displayName),
    });
  }
  return { rows, errors: sortIssues(errors, parsed.headers), warnings };
}

function groupBy<T>(list: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const t of list) m.set(key(t), [...(m.get(key(t)) ?? []), t]);
  return m;
}

/** By row, then by the template's column order (an error of the whole row last). */
function sortIssues(list: ActivityImportIssue[], headers: ParsedActivityRows['headers']): ActivityImportIssue[] {
  const order = new Map<string, number>(IMPORT_COLUMNS.map((c, i) => [headers[c] ?? IMPORT_COLUMN_ZH[c], i]));
  const pos = (e: ActivityImportIssue) => (e.column === null ? IMPORT_COLUMNS.length : (order.get(e.column) ?? IMPORT_COLUMNS.length));
  return list.map((e, i) => ({ e, i })).sort((a, b) => a.e.row - b.e.row || pos(a.e) - pos(b.e) || a.i - b.i).map((x) => x.e);
}
