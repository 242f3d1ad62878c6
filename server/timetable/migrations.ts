// Schema of this feature; versions 250–299 (see server/db/migrations.ts). Append only.
import type { Migration } from '../db/migrations.js';

export const TIMETABLE_MIGRATIONS: Migration[] = [];
