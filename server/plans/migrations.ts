// Schema of this feature; versions 200–249 (see server/db/migrations.ts). Append only.
import type { Migration } from '../db/migrations.js';

export const PLAN_MIGRATIONS: Migration[] = [];
