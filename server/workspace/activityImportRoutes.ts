// Bulk import of offline activities (issue 12) over HTTP, on the timetable import's model: the
// school is authorised and the declared size checked BEFORE a byte of the body is read; the file
// is read and every row checked in the parse pool (off the event loop, zip budget first); the
// names are looked up here; and the rows are written all or nothing, as drafts, with one audit
// row each in the same transaction. `dryRun=1` answers what would be imported and writes nothing.
//
// Mounted in the API router ahead of its JSON parser (server/http/api.ts): no parser reads the
// body before this router has authorised it.
import express, { Router, type Response } from 'express';
import ExcelJS from 'exceljs';
import { z } from 'zod';
import type { Db, Queryable } from '../db/db.js';
import type { School } from '../contract/domain.js';
import { AppError } from '../contract/errors.js';
import {
  ACTIVITY_IMPORT_LIMITS,
  IMPORT_COLUMN_ZH,
  IMPORT_COLUMNS,
  IMPORT_KIND_WORDS,
  activityImportQuery,
  type ActivityImportFailure,
  type ActivityImportIssue,
  type ActivityImportResult,
} from '../contract/workspace/activityImport.js';
import { inTx } from '../community/sql.js';
import { parse } from '../http/validate.js';
import { currentUser, requireUser } from '../http/requireUser.js';
import { parseActivityUpload } from '../uploads/parsePool.js';
import { FileError, TooManyRows } from '../timetable/tableFile.js';
import { assertCanEditSchoolWork } from './reach.js';
import { appendAudits } from './auditRepo.js';
import { activitySnapshot } from './offlineActivitiesRepo.js';
import { importDirectory, insertImportedActivities, loggedKeys } from './activityImportRepo.js';
import { resolveDrafts } from './activityImport.js';
import { refuseBody } from './activitiesRoutes.js';

const schoolParam = z.object({ schoolId: z.string().min(1).max(64) }).strict();
const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface ActivityImportRouterOptions {
  db: Db | Queryable;
  /** The file's limit (tests set a small one); default ACTIVITY_IMPORT_LIMITS.bytesMax. */
  bytesMax?: number;
  /** Data rows at most; default ACTIVITY_IMPORT_LIMITS.rowsMax. */
  rowsMax?: number;
}

function fail(res: Response, status: 400 | 413, code: 'BAD_REQUEST' | 'TOO_LARGE', message: string, issues: ActivityImportIssue[], encoding?: ActivityImportFailure['encoding']): void {
  const body: ActivityImportFailure = { error: { code, message }, rowErrors: issues.slice(0, ACTIVITY_IMPORT_LIMITS.errorsShownMax), errorCount: issues.length, ...(encoding ? { encoding } : {}) };
  res.status(status).json(body);
}

export function activityImportRouter(opts: ActivityImportRouterOptions): Router {
  const { db } = opts;
  const bytesMax = opts.bytesMax ?? ACTIVITY_IMPORT_LIMITS.bytesMax;
  const rowsMax = opts.rowsMax ?? ACTIVITY_IMPORT_LIMITS.rowsMax;
  const router = Router();
  const auth = requireUser(db);

  router.post(
    '/api/workspace/schools/:schoolId/activities/import',
    auth,
    // Authorised, and the declared size checked, before the body is read: a device or another
    // school's staff never gets a file received, let alone parsed.
    async (req, res, next) => {
      res.setHeader('Cache-Control', 'no-store');
      const { schoolId } = parse(schoolParam, req.params);
      parse(activityImportQuery, req.query);
      res.locals.school = await assertCanEditSchoolWork(db, currentUser(res), schoolId);
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared) && declared > bytesMax) {
        refuseBody(req);
        throw new AppError('TOO_LARGE', `the file may be at most ${Math.round(bytesMax / 1024)} KB`);
      }
      next();
    },
    express.raw({ type: () => true, limit: bytesMax }),
    async (req, res) => {
      const user = currentUser(res);
      const school = res.locals.school as School;
      const { dryRun, format } = parse(activityImportQuery, req.query);
      const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);

      let parsed;
      try {
        parsed = await parseActivityUpload(bytes, format, rowsMax);
      } catch (err) {
        if (err instanceof TooManyRows) {
          const msg = issueOfFile('too_many_rows', `行数太多：一次最多导入 ${err.max} 项活动，请分成几个文件`, `too many rows: at most ${err.max} activities per file; split it into several files`);
          return fail(res, 413, 'TOO_LARGE', msg.message, [msg]);
        }
        if (err instanceof FileError) {
          const msg = issueOfFile('file', err.msg.zh, err.msg.en);
          return fail(res, 400, 'BAD_REQUEST', msg.message, [msg]);
        }
        throw err; // TOO_LARGE (zip budget, time, memory), RATE_LIMITED, …: the typed error as is
      }

      const dir = await importDirectory(db, school);
      const logged = await loggedKeys(db, school.id, parsed.drafts.map((d) => d.day));
      const resolved = resolveDrafts(parsed, dir, school.id, logged);
      if (resolved.errors.length) {
        const n = new Set(resolved.errors.map((e) => e.row)).size;
        return fail(res, 400, 'BAD_REQUEST', `${n} 行有错误，未导入任何活动 / ${n} row(s) with errors; nothing was imported`, resolved.errors, parsed.encoding);
      }
      const result: ActivityImportResult = { dryRun: dryRun === '1', imported: 0, rows: resolved.rows, activityIds: [], warnings: resolved.warnings, encoding: parsed.encoding };
      if (dryRun === '1') {
        res.json(result);
        return;
      }
      const written = await inTx(db, async (q) => {
        const activities = await insertImportedActivities(q, { communityId: school.communityId, schoolId: school.id, schoolName: school.name, createdBy: user.id }, resolved.rows);
        // The same audit row as a create by hand, one per activity, in this transaction.
        await appendAudits(
          q,
          activities.map((a) => ({ actor: user, action: 'create', entity: 'activity', entityId: a.id, communityId: a.communityId, before: null, after: activitySnapshot(a) })),
        );
        return activities;
      });
      res.status(201).json({ ...result, imported: written.length, activityIds: written.map((a) => a.id) } satisfies ActivityImportResult);
    },
  );

  // The template: the header row the import reads and one example row; a second sheet explains.
  // (Not under /api/workspace/activities/: the activities router, mounted first, owns /activities/:id.)
  router.get('/api/workspace/activity-import/template.xlsx', auth, async (_req, res) => {
    res.setHeader('Content-Type', XLSX_MIME);
    res.setHeader('Content-Disposition', `attachment; filename="activities-import.xlsx"; filename*=UTF-8''${encodeURIComponent('线下活动导入模板.xlsx')}`);
    res.setHeader('Cache-Control', 'private, no-store');
    res.send(await templateXlsx());
  });

  return router;
}

const issueOfFile = (code: 'file' | 'too_many_rows', zh: string, en: string): ActivityImportIssue => ({ row: 0, column: null, code, message: zh, messageEn: en });

let template: Promise<Buffer> | null = null;

/** Built once per process (the same for everyone): a few KB. */
export function templateXlsx(): Promise<Buffer> {
  template ??= buildTemplate().catch((err: unknown) => {
    template = null;
    throw err;
  });
  return template;
}

async function buildTemplate(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Tongbu';
  const ws = wb.addWorksheet('线下活动');
  ws.columns = IMPORT_COLUMNS.map((c) => ({ header: IMPORT_COLUMN_ZH[c], key: c, width: c === 'description' ? 40 : c === 'people' || c === 'place' ? 28 : 14 }));
  ws.getRow(1).font = { bold: true };
  ws.addRow({
    day: new Date(Date.UTC(2026, 2, 18)),
    kind: '送教下乡',
    place: '青山村小学 四年级教室',
    people: '王老师、四年级学生 32 人',
    description: '数学《分数的初步认识》示范课，课后与青山村小学数学组评课',
    subject: '数学',
    pairedSchool: '青山村小学',
    teachers: '王老师',
  });
  ws.getColumn('day').numFmt = 'yyyy-mm-dd';
  const kinds = Object.values(IMPORT_KIND_WORDS).map((w) => w[0]);
  // A drop-down of the types (Excel and WPS show it; typing another word is still read).
  for (let r = 2; r <= 201; r++) {
    ws.getCell(r, IMPORT_COLUMNS.indexOf('kind') + 1).dataValidation = { type: 'list', allowBlank: false, formulae: [`"${kinds.join(',')}"`] };
  }
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  const help = wb.addWorksheet('说明');
  help.columns = [{ width: 14 }, { width: 80 }];
  for (const line of [
    ['列', '怎么填'],
    ['日期', '活动当天，例如 2026-03-18 或 2026/3/18（必填）'],
    ['类型', `${kinds.join('、')} 之一（必填）`],
    ['地点', '活动地点（必填）'],
    ['参与人员', '用顿号或逗号分隔，例如：王老师、四年级学生 32 人'],
    ['内容', '活动内容（可选）'],
    ['学科', '例如 数学（可选）'],
    ['结对学校', '本校结对学校的名称（可选）：活动计入这个结对'],
    ['授课教师', '平台上教师的姓名或登录名，用顿号分隔；重名时写“王老师（滨江实验小学）”'],
    ['', `每行一项活动，一次最多 ${ACTIVITY_IMPORT_LIMITS.rowsMax} 行。导入后是“待提交”的草稿：上传佐证材料后再提交核验。有任何一行出错时不会导入任何活动。`],
  ]) {
    help.addRow(line);
  }
  help.getRow(1).font = { bold: true };
  return Buffer.from(await wb.xlsx.writeBuffer());
}
