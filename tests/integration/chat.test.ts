import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addChatMessage, listChatMessages } from '../../server/chat/repo.js';
import { seededDb, type Demo } from './api.helpers.js';

let demo: Demo;
beforeAll(async () => {
  demo = await seededDb();
});
afterAll(() => demo.db.close());

describe('chat repo', () => {
  it('stores a trimmed message with the sender name', async () => {
    const wang = await demo.user('teacher-wang');
    const m = await addChatMessage(demo.db, { lessonId: demo.accounts.lessonId, userId: wang.id, text: '  同学们好！ ' });
    expect(m).toMatchObject({ lessonId: demo.accounts.lessonId, userId: wang.id, displayName: '王老师', text: '同学们好！' });
    expect(Date.parse(m.sentAt)).not.toBeNaN();
  });

  it('refuses empty and over-long text', async () => {
    const wang = await demo.user('teacher-wang');
    const base = { lessonId: demo.accounts.lessonId, userId: wang.id };
    await expect(addChatMessage(demo.db, { ...base, text: '   ' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(addChatMessage(demo.db, { ...base, text: '字'.repeat(501) })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(addChatMessage(demo.db, { ...base, text: '字'.repeat(500) })).resolves.toBeTruthy();
  });

  it('lists the last `limit` messages oldest first', async () => {
    const li = await demo.user('teacher-li');
    const lessonId = demo.accounts.lessonId;
    await demo.db.query('delete from chat_messages');
    for (let i = 1; i <= 12; i++) await addChatMessage(demo.db, { lessonId, userId: li.id, text: `第${i}条` });
    const last5 = await listChatMessages(demo.db, lessonId, 5);
    expect(last5.map((m) => m.text)).toEqual(['第8条', '第9条', '第10条', '第11条', '第12条']);
    expect(last5[0].displayName).toBe('李老师');
    expect((await listChatMessages(demo.db, lessonId)).length).toBe(12);
    expect(await listChatMessages(demo.db, 'no-such-lesson')).toEqual([]);
  });

  it('keeps order for messages written in one transaction', async () => {
    const li = await demo.user('teacher-li');
    const lessonId = demo.accounts.lessonId;
    await demo.db.query('delete from chat_messages');
    await demo.db.tx(async (q) => {
      for (const t of ['一', '二', '三']) await addChatMessage(q, { lessonId, userId: li.id, text: t });
    });
    expect((await listChatMessages(demo.db, lessonId)).map((m) => m.text)).toEqual(['一', '二', '三']);
  });
});
