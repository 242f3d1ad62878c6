// The per-update check (checkTransaction, proportional to what an update touched) must reach the
// same verdict as the whole-document check (checkDocument) on a document that was valid before.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as Y from 'yjs';
import { checkDocument, checkTransaction } from '../../server/plans/ydoc.js';

const verdict = (f: () => void): string => {
  try {
    f();
    return 'ok';
  } catch (err) {
    return (err as { code?: string }).code ?? 'threw';
  }
};

function validDoc(n: number): Y.Doc {
  const doc = new Y.Doc();
  const f = doc.getXmlFragment('default');
  for (let i = 0; i < n; i++) {
    const p = new Y.XmlElement(i % 4 ? 'paragraph' : 'heading');
    if (i % 4 === 0) p.setAttribute('level', 2 as never);
    p.insert(0, [new Y.XmlText(`第${i}段`)]);
    f.push([p]);
  }
  return doc;
}

describe('plan update validation', () => {
  it('the incremental check agrees with the whole-document check', () => {
    const el = fc.constantFrom('paragraph', 'heading', 'bulletList', 'listItem', 'table', 'tableRow', 'tableCell', 'text', 'nope');
    const change = fc.oneof(
      fc.record({ k: fc.constant('nest' as const), at: fc.nat(7), name: el, deep: fc.boolean() }),
      fc.record({ k: fc.constant('top' as const), at: fc.nat(8), name: el, withText: fc.boolean() }),
      fc.record({ k: fc.constant('text' as const), at: fc.nat(7), s: fc.string({ minLength: 1, maxLength: 4 }) }),
      fc.record({ k: fc.constant('attr' as const), at: fc.nat(7), v: fc.constantFrom('1', '2', '9', 'x') }),
      fc.record({ k: fc.constant('delete' as const), at: fc.nat(7) }),
      fc.record({ k: fc.constant('value' as const), at: fc.nat(7) }),
    );
    fc.assert(
      fc.property(fc.array(change, { minLength: 1, maxLength: 3 }), (changes) => {
        const doc = validDoc(8);
        checkDocument(doc);
        let tr: Y.Transaction | null = null;
        doc.on('afterTransaction', (t: Y.Transaction) => (tr = t));
        const f = doc.getXmlFragment('default');
        doc.transact(() => {
          for (const c of changes) {
            const target = f.get(c.k === 'top' ? 0 : c.at % Math.max(1, f.length)) as Y.XmlElement | undefined;
            if (c.k === 'nest' && target) {
              const inner = new Y.XmlElement(c.name);
              if (c.deep) inner.insert(0, [new Y.XmlText('深')]);
              target.insert(0, [inner]);
            } else if (c.k === 'top') {
              const e = new Y.XmlElement(c.name);
              if (c.withText) e.insert(0, [new Y.XmlText('新')]);
              f.insert(Math.min(c.at, f.length), [e]);
            } else if (c.k === 'text' && target?.get(0) instanceof Y.XmlText) (target.get(0) as Y.XmlText).insert(0, c.s);
            else if (c.k === 'attr' && target) target.setAttribute('level', c.v as never);
            else if (c.k === 'delete' && f.length) f.delete(c.at % f.length, 1);
            else if (c.k === 'value' && target) target.insert(0, ['x' as never]);
          }
        });
        const whole = verdict(() => checkDocument(doc));
        const incremental = verdict(() => checkTransaction(doc, tr!));
        expect(incremental === 'ok', `${JSON.stringify(changes)}: whole ${whole}`).toBe(whole === 'ok');
      }),
      { numRuns: 500, seed: 0x9a11 },
    );
  });
});
