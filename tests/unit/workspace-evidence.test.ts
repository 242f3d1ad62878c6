// The pure parts of offline activities and evidence: what the first bytes of a file say it is,
// the download name a file is served under, the bodies' rules, and the pages' URLs.
import { describe, expect, it } from 'vitest';
import { magicType } from '../../server/workspace/evidenceStore.js';
import { dispositionName } from '../../server/workspace/activitiesRoutes.js';
import { createActivityBody, reviewBody, updateActivityBody } from '../../server/contract/workspace/activities.js';
import { matchRoute } from '../../client/src/routes.js';

const b = (...xs: (number | string)[]) => Buffer.concat(xs.map((x) => (typeof x === 'string' ? Buffer.from(x, 'latin1') : Buffer.from([x]))));

describe('magicType', () => {
  it('knows JPEG, PNG, WebP, PDF and zip by their first bytes', () => {
    expect(magicType(b(0xff, 0xd8, 0xff, 0xe1))).toBe('jpeg');
    expect(magicType(b(0x89, 'PNG', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0))).toBe('png');
    expect(magicType(b('RIFF', 0, 0, 0, 0, 'WEBPVP8 '))).toBe('webp');
    expect(magicType(b('%PDF-1.7\n'))).toBe('pdf');
    expect(magicType(b('PK', 3, 4, 20, 0))).toBe('zip');
  });

  it('takes nothing else, however it is named', () => {
    for (const head of [b('<!doctype html>'), b('<svg xmlns="http://www.w3.org/2000/svg">'), b('MZ', 0x90, 0), b('GIF89a'), b('RIFF', 0, 0, 0, 0, 'WAVE'), b(0x89, 'PNG'), b('PK', 5, 6), b()]) {
      expect(magicType(head), head.toString('latin1')).toBeNull();
    }
  });
});

describe('dispositionName', () => {
  it('keeps the uploaded stem, puts the real extension on it and quotes nothing unsafe', () => {
    expect(dispositionName('report.exe', 'pdf')).toBe(`filename="report.pdf"; filename*=UTF-8''report.pdf`);
    expect(dispositionName('签到表.PDF', 'pdf')).toBe(`filename="___.pdf"; filename*=UTF-8''%E7%AD%BE%E5%88%B0%E8%A1%A8.pdf`);
    expect(dispositionName('a"b\\c\r\n.jpg', 'jpg')).toBe(`filename="a_b_c__.jpg"; filename*=UTF-8''a_b_c__.jpg`);
    expect(dispositionName('.htaccess', 'png')).toBe(`filename="evidence.png"; filename*=UTF-8''evidence.png`);
  });
});

describe('activity bodies', () => {
  it('a new activity needs an offline kind, a day and a place', () => {
    expect(createActivityBody.safeParse({ kind: 'send_teaching', day: '2026-03-18', place: '青山村小学' }).success).toBe(true);
    expect(createActivityBody.safeParse({ kind: 'sync_lesson', day: '2026-03-18', place: 'x' }).success).toBe(false); // online: read from the records
    expect(createActivityBody.safeParse({ kind: 'send_teaching', day: '18/03/2026', place: 'x' }).success).toBe(false);
    expect(createActivityBody.safeParse({ kind: 'send_teaching', day: '2026-03-18', place: '  ' }).success).toBe(false);
    // The school is the path's, never the body's.
    expect(createActivityBody.safeParse({ kind: 'send_teaching', day: '2026-03-18', place: 'x', schoolId: 's' }).success).toBe(false);
    expect(updateActivityBody.safeParse({ status: 'accepted' }).success).toBe(false);
  });

  it('a return says why; an acceptance need not', () => {
    expect(reviewBody.safeParse({ decision: 'accept' }).success).toBe(true);
    expect(reviewBody.safeParse({ decision: 'return' }).success).toBe(false);
    expect(reviewBody.safeParse({ decision: 'return', comment: '   ' }).success).toBe(false);
    expect(reviewBody.safeParse({ decision: 'return', comment: '请补充签到表' }).success).toBe(true);
  });
});

describe('routes', () => {
  it('has the activity log and the review page', () => {
    expect(matchRoute('/workspace/activities')).toEqual({ name: 'workspaceActivities' });
    expect(matchRoute('/workspace/review/')).toEqual({ name: 'workspaceReview' });
    expect(matchRoute('/workspace')).toEqual({ name: 'workspace' });
    expect(matchRoute('/workspace/reviews')).toEqual({ name: 'notFound' });
  });
});
