// REST calls of the 大课表 (server/timetable/routes.ts), and the file upload whose error carries row errors.
import type { FeedKind, FeedStatusResponse, FeedTokenResponse, ImportKind, ImportResult, Msg, PlanBody, RowError, ScheduleResult, SchoolTimetable, Slot, TermPlan } from '../../../server/contract/timetable.js';
import type { Pairing } from '../../../server/contract/domain.js';
import { api } from '../api.js';
import { RequestError } from '../requestError.js';
import { tr, getLang } from '../i18n/index.js';

export const DEFAULT_ALLOWANCE_MIN = 5;

export const msg = (m: Msg) => (getLang() === 'en' ? m.en : m.zh);

const enc = encodeURIComponent;

export async function loadSchool(schoolId: string): Promise<SchoolTimetable> {
  return (await api<{ timetable: SchoolTimetable }>('GET', `/api/timetable/schools/${enc(schoolId)}`)).timetable;
}

export async function saveSchool(schoolId: string, what: 'bells' | 'classes' | 'calendar' | 'terms', body: unknown): Promise<SchoolTimetable> {
  return (await api<{ timetable: SchoolTimetable }>('POST', `/api/timetable/schools/${enc(schoolId)}/${what}`, body)).timetable;
}

export interface WeekView {
  pairing: Pairing;
  allowanceMin: number;
  city: SchoolTimetable;
  rural: SchoolTimetable;
  slots: Slot[];
}

export function loadWeek(pairingId: string, allowanceMin: number): Promise<WeekView> {
  return api<WeekView>('GET', `/api/timetable/pairings/${enc(pairingId)}/week?allowanceMin=${allowanceMin}`);
}

export async function planTerm(pairingId: string, body: PlanBody): Promise<TermPlan> {
  return (await api<{ plan: TermPlan }>('POST', `/api/timetable/pairings/${enc(pairingId)}/plan`, body)).plan;
}

export function scheduleTerm(pairingId: string, body: PlanBody): Promise<ScheduleResult> {
  return api<ScheduleResult>('POST', `/api/timetable/pairings/${enc(pairingId)}/schedule`, body);
}

export function feedStatus(kind: FeedKind, id: string): Promise<FeedStatusResponse> {
  return api<FeedStatusResponse>('GET', `/api/timetable/feeds/${kind}/${enc(id)}`);
}

export function regenerateFeed(kind: FeedKind, id: string): Promise<FeedTokenResponse> {
  return api<FeedTokenResponse>('POST', '/api/timetable/feeds', { kind, id });
}

export class ImportError extends Error {
  constructor(
    message: string,
    readonly rowErrors: RowError[],
  ) {
    super(message);
  }
}

/** Sends the file as the body; a refused file throws ImportError with every row error. */
export async function importFile(schoolId: string, kind: ImportKind, file: File): Promise<{ result: ImportResult; timetable: SchoolTimetable }> {
  let res: Response;
  try {
    res = await fetch(`/api/timetable/schools/${enc(schoolId)}/import?kind=${kind}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': file.type || 'application/octet-stream', accept: 'application/json' },
      body: file,
    });
  } catch {
    throw new RequestError('NETWORK', tr('error.network'), 0);
  }
  const body = (await res.json().catch(() => null)) as { error?: { message?: string }; rowErrors?: RowError[]; result?: ImportResult; timetable?: SchoolTimetable } | null;
  if (res.ok && body?.result && body.timetable) return { result: body.result, timetable: body.timetable };
  if (body?.rowErrors) throw new ImportError(body.error?.message ?? tr('error.BAD_REQUEST'), body.rowErrors);
  throw new RequestError(res.status === 413 ? 'TOO_LARGE' : 'BAD_REQUEST', body?.error?.message ?? tr('error.generic'), res.status);
}
