// The ProseMirror schema of a plan: the same TipTap extensions as the client's editor, so a
// document built here (template, .docx import, restore) is exactly what the editor reads.
import { getSchema } from '@tiptap/core';
import StarterKit from '@tiptap/starter-kit';
import { TableKit } from '@tiptap/extension-table';

/** Name of the Y.XmlFragment the TipTap Collaboration extension binds (its default). */
export const PLAN_FIELD = 'default';

export const planSchema = getSchema([StarterKit, TableKit]);

/** ProseMirror JSON, as y-tiptap reads and writes it. */
export interface PmNode {
  type: string;
  attrs?: Record<string, unknown>;
  content?: PmNode[];
  text?: string;
  marks?: { type: string; attrs?: Record<string, unknown> }[];
}

export const text = (t: string, marks?: PmNode['marks']): PmNode => (marks ? { type: 'text', text: t, marks } : { type: 'text', text: t });
export const para = (t = ''): PmNode => ({ type: 'paragraph', content: t ? [text(t)] : [] });
export const heading = (level: number, t: string): PmNode => ({ type: 'heading', attrs: { level }, content: [text(t)] });

/** The plain text of a node (blocks joined without separators). */
export function plainText(n: PmNode): string {
  if (n.type === 'text') return n.text ?? '';
  if (n.type === 'hardBreak') return '\n';
  return (n.content ?? []).map(plainText).join('');
}
