// What the people in a lesson view do: start/end the lesson, hands, stage, mutes, recording
// pause, chat, quizzes, screen sharing and the simulcast layer a tile wants. Each is one
// request; a failure is shown as a toast and the action resolves to null/false.
import type { Lesson } from '../../../server/contract/domain.js';
import type { ClientEventName, ClientPayload, ClientResults } from '../../../server/contract/events.js';
import { tr } from '../i18n/index.js';
import { toast } from '../toast.js';
import type { LessonClient } from './LessonClient.js';
import type { LessonStore } from './LessonStore.js';
import type { LocalDevices } from './LocalDevices.js';
import { isClosedError, type MediaSession, type PublishMode } from './MediaSession.js';

/** What the actions need from the session that owns them. */
export interface ActionContext {
  readonly client: LessonClient;
  readonly store: LessonStore;
  readonly devices: LocalDevices;
  /** The media session of the current join, if any. */
  media(): MediaSession | null;
  publishMode(): PublishMode;
  /** The lesson as an action's answer has it (it may have ended). */
  lessonChanged(lesson: Lesson): void;
}

export class LessonActions {
  constructor(private readonly ctx: ActionContext) {}

  private async act<E extends ClientEventName>(event: E, payload: ClientPayload<E>): Promise<ClientResults[E] | null> {
    try {
      return await this.ctx.client.request(event, payload);
    } catch (e) {
      toast.error((e as Error).message || tr('error.generic'));
      return null;
    }
  }

  private get state() {
    return this.ctx.store.state;
  }

  async startLesson(): Promise<void> {
    const lesson = await this.act('lesson:start', {});
    if (lesson) this.ctx.lessonChanged(lesson);
  }

  async endLesson(): Promise<void> {
    const lesson = await this.act('lesson:end', {});
    if (lesson) this.ctx.lessonChanged(lesson);
  }

  private isHandRaised(): boolean {
    const id = this.state.self?.classroomId;
    return !!id && this.state.hands.some((h) => h.classroomId === id);
  }

  async raiseHand(): Promise<void> {
    if (this.isHandRaised()) return;
    await this.act('hand:raise', {});
  }

  /** A classroom lowers its own hand (no id); the teacher lowers a classroom's hand. */
  async lowerHand(classroomId?: string): Promise<void> {
    if (!classroomId && !this.isHandRaised()) return;
    await this.act('hand:lower', classroomId ? { classroomId } : {});
  }

  async setStage(classroomId: string | null): Promise<void> {
    await this.act('stage:set', { classroomId });
  }

  async muteClassroom(classroomId: string, muted: boolean): Promise<void> {
    await this.act('classroom:mute', { classroomId, muted });
  }

  /** Teacher: pause or resume recording (the live lesson is unaffected). */
  async setRecordingPaused(paused: boolean): Promise<void> {
    const recording = await this.act(paused ? 'recording:pause' : 'recording:resume', {});
    if (recording) this.ctx.store.set({ recording });
  }

  dismissRecordingNotice(key: string): void {
    this.ctx.store.dismissRecordingNotice(key);
  }

  async sendChat(text: string): Promise<boolean> {
    const m = await this.act('chat:send', { text });
    if (m) this.ctx.store.addChat(m);
    return !!m;
  }

  async pushQuiz(payload: ClientPayload<'quiz:push'>): Promise<boolean> {
    const quiz = await this.act('quiz:push', payload);
    if (quiz) this.ctx.store.quizPushed(quiz);
    return !!quiz;
  }

  async answerQuiz(quizId: string, counts: number[], classroomId?: string): Promise<boolean> {
    const answer = await this.act('quiz:answer', classroomId ? { quizId, counts, classroomId } : { quizId, counts });
    if (answer) this.ctx.store.quizAnswered(quizId, answer);
    return !!answer;
  }

  async closeQuiz(quizId: string): Promise<void> {
    await this.act('quiz:close', { quizId });
  }

  async toggleScreen(): Promise<void> {
    if (this.state.localScreen) {
      await this.stopScreen();
      return;
    }
    if (this.ctx.publishMode() !== 'teacher') return;
    const track = await this.ctx.devices.shareScreen();
    const session = this.ctx.media();
    if (!track || !session?.canPublish) return;
    try {
      await session.produce('screen', track);
    } catch (e) {
      if (!session.closed && !isClosedError(e)) toast.error((e as Error).message);
    }
  }

  async stopScreen(): Promise<void> {
    this.ctx.devices.stopScreen();
    await this.ctx.media()?.closeProducer('screen');
  }

  /** Ask for the simulcast layer that fits this view (sent only when it changes). */
  setLayers(consumerId: string, spatialLayer: number): void {
    this.ctx.media()?.setLayers(consumerId, spatialLayer);
  }
}
