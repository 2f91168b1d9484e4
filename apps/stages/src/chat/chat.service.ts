import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { ChatMessageDto, Page, RpcRequest } from '@octave/contracts';
import { SERVICE_CONFIG } from '@octave/platform/service';
import type { StagesConfig } from '../config.js';
import { RealtimePublisher } from '../realtime/realtime-publisher.js';
import { decodeMessageCursor } from '../stages/stage-cursor.js';
import { StageStore, stageUsers } from '../stages/stage-store.js';
import { chatRateLimited, notParticipant } from '../stages/stages.errors.js';
import { idProblems, pageLimitProblems, textProblems } from '@octave/platform/bus';
import { assertValid } from '../validation.js';
import { ChatMessage } from './chat-message.entity.js';

export const MESSAGE_MAX = 1000;

/**
 * First key of the advisory lock that serialises one user's chat messages (the second
 * is the user id), so that concurrent sends, on any replica, count each other.
 * Advisory locks are shared by the whole database: this value is the stages service's.
 */
const CHAT_LOCK_CLASS = 0x53_54_43_48; // "STCH"

@Injectable()
export class ChatService {
  constructor(
    @Inject(EntityManager) private readonly em: EntityManager,
    @Inject(SERVICE_CONFIG) private readonly config: StagesConfig,
    @Inject(RealtimePublisher) private readonly realtime: RealtimePublisher,
  ) {}

  /**
   * Participants only; the message is trimmed, then 1–1000 characters. At most
   * `CHAT_RATE_LIMIT` messages per user in any `CHAT_RATE_WINDOW_SECONDS` (over every
   * stage), counted from the messages themselves: 429 with the seconds until the oldest
   * of them leaves the window.
   */
  async send(req: RpcRequest<'stages.chat.send'>): Promise<ChatMessageDto> {
    const { actor } = req;
    assertValid(textProblems('message', req.message, MESSAGE_MAX));
    const message = await this.em.transactional(async (tx) => {
      await StageStore.lockLiveUser(tx, actor);
      const stage = await StageStore.live(tx, req.id);
      if (!(await StageStore.isParticipant(tx, stage.id, actor.id))) throw notParticipant(stage.id);
      await tx.execute('SELECT pg_advisory_xact_lock(?, ?)', [CHAT_LOCK_CLASS, actor.id]);
      const now = new Date();
      await this.checkRate(tx, actor.id, now);
      const created = tx.create(ChatMessage, { stageId: stage.id, senderId: actor.id, message: req.message.trim(), createdAt: now });
      await tx.flush();
      return created;
    });
    const [dto] = await this.present([message]);
    this.realtime.publish(dto.stageId, 'chat:message', dto);
    return dto;
  }

  /** Newest first; each page goes back from the oldest message of the one before. Participants only. */
  async list(req: RpcRequest<'stages.chat.list'>): Promise<Page<ChatMessageDto>> {
    assertValid([...pageLimitProblems(req.limit), ...(req.before !== undefined ? idProblems('before', req.before) : [])]);
    const before = req.before ?? (req.cursor ? decodeMessageCursor(req.cursor) : undefined);
    const stage = await StageStore.live(this.em, req.id);
    if (!(await StageStore.isParticipant(this.em, stage.id, req.actor.id))) throw notParticipant(stage.id);
    const messages = await this.em.find(
      ChatMessage,
      { stageId: stage.id, ...(before !== undefined ? { id: { $lt: before } } : {}) },
      { orderBy: { id: 'desc' }, limit: req.limit + 1 },
    );
    const page = messages.slice(0, req.limit);
    return {
      items: await this.present(page),
      nextCursor: messages.length > req.limit ? String(page.at(-1)!.id) : null,
    };
  }

  private async checkRate(tx: EntityManager, userId: number, now: Date): Promise<void> {
    const windowMs = this.config.CHAT_RATE_WINDOW_SECONDS * 1000;
    const recent = await tx.execute<{ created_at: Date | string }[]>(
      `SELECT created_at FROM stages.chat_messages WHERE sender_id = ? AND created_at > ?::timestamptz
       ORDER BY created_at DESC LIMIT ?`,
      [userId, new Date(now.getTime() - windowMs).toISOString(), this.config.CHAT_RATE_LIMIT],
    );
    if (recent.length < this.config.CHAT_RATE_LIMIT) return;
    const oldest = new Date(recent[recent.length - 1].created_at).getTime();
    throw chatRateLimited(Math.max(1, Math.ceil((oldest + windowMs - now.getTime()) / 1000)));
  }

  private async present(messages: ChatMessage[]): Promise<ChatMessageDto[]> {
    if (messages.length === 0) return [];
    const names = await stageUsers.usernames(this.em, messages.map((m) => m.senderId));
    return messages.map((m) => ({
      id: m.id,
      stageId: m.stageId,
      sender: { id: m.senderId, username: names.get(m.senderId) ?? '' },
      message: m.message,
      createdAt: m.createdAt.toISOString(),
    }));
  }
}
