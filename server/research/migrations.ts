// Schema of this feature; versions 300–399 (see server/db/migrations.ts). Append only.
import type { Migration } from '../db/migrations.js';

export const RESEARCH_MIGRATIONS: Migration[] = [];
