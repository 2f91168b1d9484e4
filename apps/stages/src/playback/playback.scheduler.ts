import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '@octave/platform/observability';
import { SERVICE_CONFIG, SERVICE_LOGGER } from '@octave/platform/service';
import type { StagesConfig } from '../config.js';
import { STAGE_COLUMNS, toStageRow, type RawStageRow } from '../stages/stage-row.js';
import { playbackAt } from './playback-clock.js';
import { PlaybackService } from './playback.service.js';

/** How long a stage whose advance failed (a dependency down) is left alone before another try. */
const RETRY_AFTER_FAILURE_MS = 5_000;
/** Shortest sleep: a due stage another replica holds is looked at again this soon. */
const MIN_SLEEP_MS = 20;

/**
 * Starts the next song when one ends, in every replica of the service. Nothing is kept
 * in memory that matters: the due time is the stage's `ends_at` column, so a restart
 * (or a replica taking over) acts on every song that ended meanwhile. Each due stage is
 * claimed with `FOR UPDATE SKIP LOCKED` and advanced in that transaction, and the claim
 * re-checks that the row is still due once locked, so one song end is acted on exactly
 * once however many replicas look at the same time.
 */
@Injectable()
export class PlaybackScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private running?: Promise<void>;
  private stopping = false;
  private wake?: () => void;
  /** Stages whose last advance failed, until when they are skipped. */
  private readonly backoff = new Map<number, number>();

  constructor(
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(PlaybackService) private readonly playback: PlaybackService,
    @Inject(SERVICE_CONFIG) private readonly config: StagesConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.running = this.loop();
  }

  /** Finishes the advance in hand; runs before the runtime closes the database. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let delay = this.config.PLAYBACK_POLL_MS;
      try {
        while (!this.stopping && (await this.advanceOne())) {
          // Every due stage, one transaction each, before sleeping again.
        }
        delay = await this.msUntilNextEnd();
      } catch (err) {
        this.logger.error({ err }, 'playback scheduler failed; trying again');
      }
      await this.sleep(delay);
    }
  }

  /** Claims one due stage and moves it on; false when none is due. */
  async advanceOne(): Promise<boolean> {
    const now = Date.now();
    for (const [id, until] of this.backoff) if (until <= now) this.backoff.delete(id);
    let claimed: number | undefined;
    try {
      const advanced = await this.orm.em.fork().transactional(async (tx) => {
        const rows = await tx.execute<RawStageRow[]>(
          `SELECT ${STAGE_COLUMNS} FROM stages.stages s
           WHERE s.ends_at <= ?::timestamptz AND s.ended_at IS NULL AND s.id <> ALL(?::int[])
           ORDER BY s.ends_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
          [new Date(now).toISOString(), this.skipped()],
        );
        if (rows.length === 0) return undefined;
        const stage = toStageRow(rows[0]);
        claimed = stage.id;
        const change = await this.playback.advanceLocked(tx, stage, new Date());
        return { stageId: stage.id, change };
      });
      if (!advanced) return false;
      this.logger.debug({ stageId: advanced.stageId, songId: advanced.change.clock.songId }, 'next song started');
      this.playback.announce(advanced.stageId, playbackAt(advanced.change.clock, new Date()));
      return true;
    } catch (err) {
      if (claimed === undefined) throw err;
      this.backoff.set(claimed, Date.now() + RETRY_AFTER_FAILURE_MS);
      this.logger.warn({ err, stageId: claimed }, 'could not start the next song; will try again');
      return true;
    }
  }

  /** Until the next song ends, within the polling interval (another replica may start a shorter one). */
  private async msUntilNextEnd(): Promise<number> {
    const [row] = await this.orm.em
      .fork()
      .execute<{ next: Date | string | null }[]>(
        'SELECT min(ends_at) AS next FROM stages.stages WHERE ends_at IS NOT NULL AND ended_at IS NULL AND id <> ALL(?::int[])',
        [this.skipped()],
      );
    if (!row?.next) return this.config.PLAYBACK_POLL_MS;
    const ms = new Date(row.next).getTime() - Date.now();
    return Math.min(this.config.PLAYBACK_POLL_MS, Math.max(MIN_SLEEP_MS, ms));
  }

  /** The backed-off stage ids as a PostgreSQL array literal. */
  private skipped(): string {
    return `{${[...this.backoff.keys()].join(',')}}`;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
