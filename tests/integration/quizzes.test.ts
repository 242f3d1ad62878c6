import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerQuiz, closeQuiz, createQuiz, getOpenQuiz, getQuizWithAnswers } from '../../server/quizzes/repo.js';
import { createClassroom } from '../../server/community/repo.js';
import { seededDb, type Demo } from './api.helpers.js';

let demo: Demo;
let lessonId: string;
let wangId: string;
let rooms: { city: string; qingshan: string; shiqiao: string };

beforeAll(async () => {
  demo = await seededDb();
  lessonId = demo.accounts.lessonId;
  wangId = (await demo.user('teacher-wang')).id;
  rooms = {
    city: await demo.classroomId('四年级(1)班'),
    qingshan: await demo.classroomId('四年级'),
    shiqiao: await demo.classroomId('四年级(2)班'),
  };
});
afterAll(() => demo.db.close());

describe('createQuiz', () => {
  it('gives true/false quizzes the options 对/错', async () => {
    const q = await createQuiz(demo.db, { lessonId, kind: 'truefalse', question: '1/2 比 1/3 大。' });
    expect(q).toMatchObject({ lessonId, kind: 'truefalse', options: ['对', '错'], closedAt: null });
  });

  it('requires 2–6 options for a choice quiz', async () => {
    const ok = await createQuiz(demo.db, { lessonId, kind: 'choice', question: '哪个最大？', options: ['1/2', '1/3', '1/4'] });
    expect(ok.options).toEqual(['1/2', '1/3', '1/4']);
    for (const options of [undefined, [], ['只有一个'], ['a', 'b', 'c', 'd', 'e', 'f', 'g'], ['a', '  ']]) {
      await expect(createQuiz(demo.db, { lessonId, kind: 'choice', question: '?', options })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    }
    await expect(createQuiz(demo.db, { lessonId, kind: 'truefalse', question: '?', options: ['a', 'b', 'c'] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(createQuiz(demo.db, { lessonId, kind: 'choice', question: ' ', options: ['a', 'b'] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(createQuiz(demo.db, { lessonId: 'nope', kind: 'truefalse', question: '?' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('answers', () => {
  it('upserts one answer per classroom, checks counts, and refuses after close', async () => {
    const quiz = await createQuiz(demo.db, { lessonId, kind: 'choice', question: '把一个苹果平均分成4份，每份是？', options: ['1/2', '1/4', '4'] });
    const first = await answerQuiz(demo.db, { quizId: quiz.id, classroomId: rooms.qingshan, counts: [3, 20, 1], answeredBy: wangId });
    expect(first).toMatchObject({ quizId: quiz.id, classroomId: rooms.qingshan, counts: [3, 20, 1] });
    await answerQuiz(demo.db, { quizId: quiz.id, classroomId: rooms.qingshan, counts: [2, 22, 0], answeredBy: wangId });
    await answerQuiz(demo.db, { quizId: quiz.id, classroomId: rooms.city, counts: [1, 40, 0], answeredBy: wangId });

    const results = await getQuizWithAnswers(demo.db, quiz.id);
    expect(results!.answers).toHaveLength(2);
    expect(results!.answers.find((a) => a.classroomId === rooms.qingshan)!.counts).toEqual([2, 22, 0]);

    const base = { quizId: quiz.id, classroomId: rooms.shiqiao, answeredBy: wangId };
    await expect(answerQuiz(demo.db, { ...base, counts: [1, 2] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(answerQuiz(demo.db, { ...base, counts: [1, 2, 3, 4] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(answerQuiz(demo.db, { ...base, counts: [1, -2, 3] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(answerQuiz(demo.db, { ...base, counts: [1, 2.5, 3] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(answerQuiz(demo.db, { ...base, counts: [1, 201, 3] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const stranger = await createClassroom(demo.db, { schoolId: await demo.schoolId('青山村小学'), name: '六年级', grade: 6 });
    await expect(answerQuiz(demo.db, { ...base, classroomId: stranger.id, counts: [1, 2, 3] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(answerQuiz(demo.db, { ...base, quizId: 'nope', counts: [1, 2, 3] })).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const closed = await closeQuiz(demo.db, quiz.id);
    expect(closed.closedAt).not.toBeNull();
    expect((await closeQuiz(demo.db, quiz.id)).closedAt).toBe(closed.closedAt);
    await expect(answerQuiz(demo.db, { ...base, counts: [1, 2, 3] })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(closeQuiz(demo.db, 'nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await getQuizWithAnswers(demo.db, 'nope')).toBeNull();
  });

  it('getOpenQuiz is the latest unclosed quiz with its answers', async () => {
    await demo.db.query('update quizzes set closed_at = now() where closed_at is null');
    expect(await getOpenQuiz(demo.db, lessonId)).toBeNull();
    const older = await createQuiz(demo.db, { lessonId, kind: 'truefalse', question: '旧题' });
    const newer = await createQuiz(demo.db, { lessonId, kind: 'truefalse', question: '新题' });
    await answerQuiz(demo.db, { quizId: newer.id, classroomId: rooms.shiqiao, counts: [10, 5], answeredBy: wangId });
    const open = await getOpenQuiz(demo.db, lessonId);
    expect(open!.quiz.id).toBe(newer.id);
    expect(open!.answers.map((a) => a.counts)).toEqual([[10, 5]]);
    await closeQuiz(demo.db, newer.id);
    expect((await getOpenQuiz(demo.db, lessonId))!.quiz.id).toBe(older.id);
  });
});
