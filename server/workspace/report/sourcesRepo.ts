// The report's inputs from the other workspace slices (sources.ts), as the product holds them:
// the targets in force for each pairing's year (its own, its community's, the bureau's template —
// exactly what the dashboards evaluate), offline activities with their evidence and 核验 state
// counted by the bureau's rule, research sessions and 师徒 activities counted like the
// dashboards count them, the mentor pairs, and the evidence files' bytes from the data folder.
import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { Queryable } from '../../db/db.js';
import { AppError } from '../../contract/errors.js';
import type { CountedActivity } from '../../contract/workspace/targets.js';
import type { ReportActivity, ReportMentorPair } from '../../contract/workspace/report.js';
import type { PairingSchools } from '../activitiesRepo.js';
import { researchSessionSource, mentoringSource, SYNC_LESSON_MIN_SHARE } from '../activitySources.js';
import { targetsInForce } from '../targetsRepo.js';
import { getEvidence, listActivities } from '../offlineActivitiesRepo.js';
import { acceptedOnlyFor } from '../offlineCountedRepo.js';
import { listMentorPairs } from '../mentorRepo.js';
import type { ReportSources, SourceActivity } from './sources.js';

interface PairingRow extends PairingSchools {
  communityId: string;
}

async function pairingsOf(db: Queryable, ids: readonly string[]): Promise<PairingRow[]> {
  const rows = await db.query<{ id: string; community_id: string; city_school_id: string; rural_school_id: string }>(
    'select id, community_id, city_school_id, rural_school_id from pairings where id = any($1::text[])',
    [[...ids]],
  );
  return rows.map((r) => ({ pairingId: r.id, communityId: r.community_id, citySchoolId: r.city_school_id, ruralSchoolId: r.rural_school_id }));
}

const STATUS = { submitted: 'pending', accepted: 'accepted', returned: 'returned' } as const;

export function productSources(db: Queryable, dataDir: string | null): ReportSources {
  return {
    async pairingTargets(pairingIds, year) {
      const pairings = await pairingsOf(db, pairingIds);
      const inForce = await targetsInForce(db, pairings.map((p) => ({ id: p.pairingId, communityId: p.communityId })), year);
      return new Map([...inForce].map(([id, f]) => [id, f.targets]));
    },
    // A community's targets apply to each of its pairings (targetsInForce); none is evaluated over the sum.
    communityTargets: async () => [],
    async offlineActivities(pairingIds, year) {
      const pairings = await pairingsOf(db, pairingIds);
      const communityIds = [...new Set(pairings.map((p) => p.communityId))];
      const acceptedOnly = new Map(await Promise.all(communityIds.map(async (c) => [c, await acceptedOnlyFor(db, c, year)] as const)));
      const all = await listActivities(db, { communityIds, excludeDrafts: true, from: `${year}-01-01`, to: `${year}-12-31` });
      const out = new Map<string, SourceActivity[]>();
      for (const a of all) {
        if (!a.pairingId || !pairingIds.includes(a.pairingId) || a.status === 'draft') continue;
        const counts = a.status === 'accepted' || (a.status === 'submitted' && !acceptedOnly.get(a.communityId));
        const activity: ReportActivity = {
          id: a.id,
          kind: a.kind,
          day: a.day,
          title: a.description ? `${a.place}：${a.description}` : a.place,
          schoolName: a.schoolName,
          status: STATUS[a.status],
          links: [],
          evidence: a.evidence.map((e) => ({ id: e.id, fileName: e.originalName, byteSize: e.sizeBytes, url: `/api/workspace/evidence/${encodeURIComponent(e.id)}/file` })),
        };
        const counted: CountedActivity | null = counts ? { id: a.id, kind: a.kind, day: a.day, subject: a.subject, teacherIds: a.teacherIds } : null;
        out.set(a.pairingId, [...(out.get(a.pairingId) ?? []), { activity, counted }]);
      }
      for (const list of out.values()) list.sort((x, y) => (x.activity.day < y.activity.day ? -1 : 1));
      return out;
    },
    async otherCounted(pairingIds, year) {
      const pairings = await pairingsOf(db, pairingIds);
      const [from, to] = [`${year}-01-01`, `${year}-12-31`];
      const loaded = (await Promise.all([researchSessionSource, mentoringSource].map((s) => s.load(db, pairings, from, to, Date.now())))).flat();
      const out = new Map<string, CountedActivity[]>();
      for (const a of loaded) {
        if (!a.counts) continue;
        out.set(a.pairingId, [...(out.get(a.pairingId) ?? []), { id: a.id, kind: a.kind, day: a.day, subject: a.subject || null, teacherIds: a.teacherIds }]);
      }
      return out;
    },
    async mentorPairs(pairingIds, year) {
      const pairings = await pairingsOf(db, pairingIds);
      const pairs = await listMentorPairs(db, { communityIds: [...new Set(pairings.map((p) => p.communityId))] });
      const out = new Map<string, ReportMentorPair[]>();
      for (const p of pairings) {
        const mine = pairs.filter(
          (m) => m.mentor.schoolId === p.citySchoolId && m.mentee.schoolId === p.ruralSchoolId && m.startsOn <= `${year}-12-31` && (m.endedOn ?? m.endsOn) >= `${year}-01-01`,
        );
        out.set(p.pairingId, mine.map((m) => ({ mentorName: m.mentor.displayName, menteeName: m.mentee.displayName, subject: m.subject, since: m.startsOn })));
      }
      return out;
    },
    attendanceShare: async () => SYNC_LESSON_MIN_SHARE,
    async openEvidence(fileId) {
      const row = await getEvidence(db, fileId);
      if (!row || !dataDir) throw new AppError('NOT_FOUND', 'evidence file not found');
      return createReadStream(path.join(dataDir, row.path));
    },
  };
}
