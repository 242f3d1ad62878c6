// Schema of this feature; versions 100–199 (see server/db/migrations.ts). Append only.
import type { Migration } from '../db/migrations.js';

export const RECORDING_MIGRATIONS: Migration[] = [];
