// Entry file of the parse workers (piscina loads it in each worker thread). Plain JavaScript
// because a worker thread does not inherit a TypeScript loader in every setting (vitest's
// transform, say): tsx's scoped import loads the TypeScript task here. The default export is
// the task function piscina calls.
import { tsImport } from 'tsx/esm/api';

const { default: parseTask } = await tsImport('./parseTask.ts', import.meta.url);
export default parseTask;
