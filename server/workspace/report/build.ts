// Builds the yearly report's data for a pairing or a whole community (issue 12). Few queries
// whatever the size: the organisation (listOrgCommunities: five), the lessons with everything the
// participation needs (participationRepo: six), one per source, one or two for usage. The
// exporters (docx.ts, xlsx.ts, pdf.ts, evidencePack.ts) only lay out what this returns.
import type { Queryable } from '../../db/db.js';
import { AppError } from '../../contract/errors.js';
import { schoolDayOf } from '../../contract/time.js';
import type { OrgPairing } from '../../contract/workspace/org.js';
import { evaluateTarget, type CountedActivity, type Target } from '../../contract/workspace/targets.js';
import type { PairingReport, ReportActivity, ReportData, ReportTarget } from '../../contract/workspace/report.js';
import { getBureau, listOrgCommunities } from '../orgRepo.js';
import { pairingLessons } from '../participationRepo.js';
import { pairingParticipation } from '../participation.js';
import { usageReport } from '../usageRepo.js';
import type { ReportSources } from './sources.js';

/** Evaluations are as of today, or the year's last day once it is over (its first, before it starts). */
export function reportAsOf(year: number, now: Date): string {
  const today = schoolDayOf(now).day;
  const [from, to] = [`${year}-01-01`, `${year}-12-31`];
  return today > to ? to : today < from ? from : today;
}

/** Which year of a round a day is in (a round starting 2025-09-01: 2026-08-31 is its first year, 2026-09-01 its second). */
export function roundYearIndex(startsOn: string, day: string): number {
  const months = (Number(day.slice(0, 4)) - Number(startsOn.slice(0, 4))) * 12 + Number(day.slice(5, 7)) - Number(startsOn.slice(5, 7));
  const beforeDay = day.slice(8) < startsOn.slice(8) ? 1 : 0;
  return Math.max(0, Math.floor((months - beforeDay) / 12));
}

const evaluate = (targets: readonly Target[], activities: readonly CountedActivity[], asOf: string): ReportTarget[] =>
  targets.map((t) => ({ id: t.id, title: t.title, evaluation: evaluateTarget(t, activities, asOf) }));

export async function buildReport(
  db: Queryable,
  sources: ReportSources,
  opts: { communityId: string; pairingId?: string; year: number; now?: Date },
): Promise<ReportData> {
  const now = opts.now ?? new Date();
  const { year } = opts;
  const [from, to] = [`${year}-01-01`, `${year}-12-31`];
  const asOf = reportAsOf(year, now);
  const [community] = await listOrgCommunities(db, [opts.communityId]);
  if (!community) throw new AppError('NOT_FOUND', 'community not found');
  const pairings = opts.pairingId ? community.pairings.filter((p) => p.id === opts.pairingId) : community.pairings;
  if (opts.pairingId && !pairings.length) throw new AppError('NOT_FOUND', 'pairing not found');
  const ids = pairings.map((p) => p.id);
  const schools = pairings.map((p) => ({ pairingId: p.id, citySchoolId: p.citySchool.id, ruralSchoolId: p.ruralSchool.id }));

  const [bureau, lessons, targets, communityTargets, offline, mentors, share, others] = await Promise.all([
    community.bureauId ? getBureau(db, community.bureauId) : null,
    pairingLessons(db, schools, from, to),
    sources.pairingTargets(ids, year),
    opts.pairingId ? Promise.resolve([]) : sources.communityTargets(community.id, year),
    sources.offlineActivities(ids, year),
    sources.mentorPairs(ids, year),
    sources.attendanceShare(community.id),
    sources.otherCounted(ids, year),
  ]);
  const usage = await usageReport(
    db,
    { communityIds: [community.id], bureauId: null, schoolIds: opts.pairingId ? [pairings[0].citySchool.id, pairings[0].ruralSchool.id] : undefined },
    year,
  );

  const allCounted: CountedActivity[] = [];
  const pairingReports = pairings.map((p: OrgPairing, i): PairingReport => {
    const result = pairingParticipation(schools[i], lessons.get(p.id) ?? [], share, now.getTime());
    const own = offline.get(p.id) ?? [];
    const counted = [
      ...result.verdicts.flatMap((v) => (v.activity ? [v.activity] : [])),
      ...own.flatMap((a) => (a.counted ? [a.counted] : [])),
      ...(others.get(p.id) ?? []),
    ];
    allCounted.push(...counted);
    const syncActivities: ReportActivity[] = result.lessons
      .filter((l) => l.counts)
      .map((l) => ({
        id: l.lessonId,
        kind: 'sync_lesson',
        day: l.day,
        title: `${l.title}（${l.subject} · ${l.teacherName}）`,
        schoolName: p.citySchool.name,
        status: null,
        links: [`/recordings/${encodeURIComponent(l.lessonId)}`, `/research/lessons/${encodeURIComponent(l.lessonId)}`],
        evidence: [],
      }));
    const activities = [...syncActivities, ...own.map((a) => a.activity)].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.id < b.id ? -1 : 1));
    return {
      pairingId: p.id,
      citySchool: p.citySchool,
      ruralSchool: p.ruralSchool,
      rounds: p.rounds
        .filter((r) => r.startsOn <= to && r.endsOn >= from)
        .map((r) => ({ round: r.round, startsOn: r.startsOn, endsOn: r.endsOn, theme: r.yearThemes[roundYearIndex(r.startsOn, asOf)] ?? null })),
      leaders: p.leaders.map((l) => ({ name: l.displayName, duty: l.duty })),
      targets: evaluate(targets.get(p.id) ?? [], counted, asOf),
      activities,
      lessons: result.lessons,
      mentorPairs: mentors.get(p.id) ?? [],
      participation: result.participation,
      usage: opts.pairingId ? usage : null,
    };
  });

  return {
    kind: opts.pairingId ? 'pairing' : 'community',
    year,
    asOf,
    generatedAt: now.toISOString(),
    community: { id: community.id, name: community.name, bureauName: bureau?.name ?? null },
    communityTargets: evaluate(communityTargets, allCounted, asOf),
    pairings: pairingReports,
    usage,
  };
}
