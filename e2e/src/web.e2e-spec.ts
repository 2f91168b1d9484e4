// The web client in a real browser (Debian's Chromium through playwright-core), served
// by the real gateway in front of every real service: two people in two browser
// contexts sign up, one uploads songs, makes a playlist and hosts a stage, the other
// joins; their chat reaches both pages live and both <audio> elements play the same
// song at the same position. Screenshots of the main pages go to artifacts/screenshots/.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { launchChromium, openPage, screenshot, type BrowserHandle, type PageProblems } from './support/browser.js';
import { startSystem, type System } from './support/system.js';
import { uniqueUsername } from './support/users.js';

const run = promisify(execFile);
const PASSWORD = 'correct horse battery staple';
/** How far apart the two listeners may be, as the issue asks. */
const SYNC_TOLERANCE_MS = 300;

let system: System;
let chromium: BrowserHandle;
let host: { page: Page; problems: PageProblems };
let guest: { page: Page; problems: PageProblems };
const tones: Record<'low' | 'high', Buffer> = {} as Record<'low' | 'high', Buffer>;
const hostName = uniqueUsername('host_');
const guestName = uniqueUsername('guest_');
let stagePath = '';

/** A 30 s sine tone as MP3, made with sox now (no binaries in the repository). */
async function tone(hz: number): Promise<Buffer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'octave-web-tone-'));
  try {
    const file = path.join(dir, 'tone.mp3');
    await run('sox', ['-n', '-r', '44100', '-c', '1', file, 'synth', '30', 'sine', String(hz), 'vol', '0.3']);
    return await readFile(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function signUp(page: Page, username: string): Promise<void> {
  await page.goto(`${system.baseUrl}/stages`);
  // Signed out, the app sends people to the log-in page, which links to sign-up.
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Email').fill(`${username}@example.com`);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByRole('heading', { name: 'Live stages' }).waitFor();
  expect(new URL(page.url()).pathname).toBe('/stages');
}

async function uploadSong(page: Page, title: string, audio: Buffer): Promise<void> {
  await page.getByLabel('Audio file').setInputFiles({ name: `${title}.mp3`, mimeType: 'audio/mpeg', buffer: audio });
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Artist').fill('Sox');
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await page.getByTestId('song-row').filter({ hasText: title }).waitFor();
}

/** What the stage's <audio> element plays, read in the page. */
interface Listening {
  at: number;
  positionMs: number;
  paused: boolean;
  song: string | undefined;
  hasSource: boolean;
}
function listening(page: Page): Promise<Listening> {
  return page.evaluate(() => {
    const el = document.querySelector<HTMLAudioElement>('[data-testid="stage-audio"]');
    if (!el) throw new Error('no stage <audio> on the page');
    return { at: Date.now(), positionMs: el.currentTime * 1000, paused: el.paused, song: el.dataset.loadedSong, hasSource: !!el.currentSrc };
  });
}

async function waitUntilPlaying(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const el = document.querySelector<HTMLAudioElement>('[data-testid="stage-audio"]');
      return !!el && !el.paused && el.currentTime > 0.5 && !!el.dataset.loadedSong;
    },
    undefined,
    { timeout: 20_000 },
  );
}

beforeAll(async () => {
  // First, so a machine without Chromium fails at once with the reason.
  chromium = await launchChromium();
  [system, tones.low, tones.high] = await Promise.all([startSystem('web'), tone(440), tone(660)]);
  host = await openPage(chromium.browser, 'host');
  guest = await openPage(chromium.browser, 'guest');
}, 120_000);

afterAll(async () => {
  await chromium?.close();
  await system?.stop();
});

describe('the web client', () => {
  it('serves the app at / and deep links, and signs two people up', async () => {
    await host.page.goto(`${system.baseUrl}/`);
    await host.page.getByRole('heading', { name: 'Log in' }).waitFor();
    await screenshot(host.page, '01-login');
    await signUp(host.page, hostName);
    await signUp(guest.page, guestName);
    await screenshot(host.page, '02-stages-empty');
  }, 60_000);

  it('uploads songs with a progress bar and explains a file that is not audio', async () => {
    const page = host.page;
    await page.getByRole('link', { name: 'Songs' }).click();
    await page.getByRole('heading', { name: 'Upload a song' }).waitFor();
    // Not audio: the server sniffs the content (415) and the page says what is accepted.
    await page.getByLabel('Audio file').setInputFiles({ name: 'notes.mp3', mimeType: 'audio/mpeg', buffer: Buffer.from('just some text, not audio at all') });
    await page.getByLabel('Title').fill('Not a song');
    await page.getByLabel('Artist').fill('Nobody');
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'not audio Octave accepts' }).waitFor();

    await uploadSong(page, 'Low tone', tones.low);
    await uploadSong(page, 'High tone', tones.high);
    // Search: only the matching song stays listed.
    await page.getByRole('searchbox', { name: 'Search songs' }).fill('high');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="song-row"]').length === 1);
    await expect(page.getByTestId('song-row').innerText()).resolves.toContain('High tone');
    await page.getByRole('searchbox', { name: 'Search songs' }).fill('');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="song-row"]').length === 2);
    await screenshot(page, '03-songs');
  }, 60_000);

  it('makes a playlist and reorders it by dragging', async () => {
    const page = host.page;
    await page.getByRole('link', { name: 'Playlists' }).click();
    await page.getByLabel('Name').fill('Tones');
    await page.getByRole('button', { name: 'Create playlist' }).click();
    await page.getByRole('heading', { name: 'Tones' }).waitFor();
    const entries = page.getByTestId('playlist-entry');
    await page.getByRole('button', { name: 'Add Low tone' }).click();
    await entries.nth(0).waitFor();
    await page.getByRole('button', { name: 'Add High tone' }).click();
    await entries.nth(1).waitFor();
    expect(await entries.allInnerTexts()).toEqual([expect.stringContaining('Low tone'), expect.stringContaining('High tone')]);

    await entries.nth(1).dragTo(entries.nth(0));
    await page.waitForFunction(() => document.querySelector('[data-testid="playlist-entry"]')?.textContent?.includes('High tone'));
    // The order is the server's, not just the page's: it survives a reload.
    await page.reload();
    await entries.nth(1).waitFor();
    expect(await entries.allInnerTexts()).toEqual([expect.stringContaining('High tone'), expect.stringContaining('Low tone')]);
    await screenshot(page, '04-playlist');
  }, 60_000);

  it('hosts a stage that the other person finds and joins', async () => {
    const page = host.page;
    await page.getByRole('link', { name: 'Stages' }).click();
    await page.getByLabel('Name').fill('Tone party');
    await page.getByRole('checkbox', { name: 'Tones' }).check();
    await page.getByRole('button', { name: 'Go live' }).click();
    await page.getByRole('heading', { name: 'Tone party' }).waitFor();
    stagePath = new URL(page.url()).pathname;
    expect(stagePath).toMatch(/^\/stages\/\d+$/);
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
    await page.getByRole('button', { name: 'Play Low tone on the stage' }).click();
    await waitUntilPlaying(page);

    await guest.page.reload();
    const tile = guest.page.getByTestId('stage-tile').filter({ hasText: 'Tone party' });
    await tile.waitFor();
    await tile.getByRole('button', { name: 'Join Tone party' }).click();
    await guest.page.getByRole('heading', { name: 'Tone party' }).waitFor();
    expect(new URL(guest.page.url()).pathname).toBe(stagePath);
    // The host sees the newcomer arrive without reloading.
    await page.getByTestId('participants').getByText(guestName).waitFor();
    await expect(page.getByTestId('participant-count').innerText()).resolves.toBe('2');
  }, 60_000);

  it('shows each chat message live on both pages', async () => {
    await guest.page.getByRole('status').filter({ hasText: 'live' }).waitFor();
    await guest.page.getByRole('textbox', { name: 'Message' }).fill('hello from the guest');
    await guest.page.getByRole('button', { name: 'Send' }).click();
    await host.page.getByRole('textbox', { name: 'Message' }).fill('welcome!');
    await host.page.getByRole('button', { name: 'Send' }).click();
    for (const { page } of [host, guest]) {
      const chat = page.getByTestId('chat-message');
      await chat.filter({ hasText: 'hello from the guest' }).waitFor();
      await chat.filter({ hasText: 'welcome!' }).waitFor();
      expect(await chat.allInnerTexts()).toEqual([
        expect.stringContaining(`${guestName} hello from the guest`),
        expect.stringContaining(`${hostName} welcome!`),
      ]);
    }
  }, 30_000);

  it("plays the host's song at the host's position in both browsers, within 300 ms", async () => {
    await Promise.all([waitUntilPlaying(host.page), waitUntilPlaying(guest.page)]);
    // Let the guest's player settle after its first seek.
    await guest.page.waitForTimeout(1_000);
    const gaps: number[] = [];
    for (let i = 0; i < 5; i++) {
      const [a, b] = await Promise.all([listening(host.page), listening(guest.page)]);
      expect(a).toMatchObject({ paused: false, hasSource: true });
      expect(b).toMatchObject({ paused: false, hasSource: true, song: a.song });
      // Both positions brought to the same instant (the two reads are not simultaneous).
      gaps.push(Math.abs(a.positionMs - a.at - (b.positionMs - b.at)));
      await host.page.waitForTimeout(400);
    }
    console.log(`web e2e: the two <audio> elements were ${gaps.map((g) => Math.round(g)).join(', ')} ms apart`);
    expect(Math.max(...gaps)).toBeLessThan(SYNC_TOLERANCE_MS);
    await screenshot(host.page, '05-stage-host');
    await screenshot(guest.page, '06-stage-guest');
  }, 60_000);

  it('pauses and moves both players when the host pauses and seeks', async () => {
    await host.page.getByRole('button', { name: 'Pause' }).click();
    const pausedBoth = () => document.querySelector<HTMLAudioElement>('[data-testid="stage-audio"]')?.paused === true;
    await Promise.all([host.page.waitForFunction(pausedBoth), guest.page.waitForFunction(pausedBoth)]);

    const pausedAt = await listening(host.page);

    // Seek with the keyboard: each arrow key moves the slider 1 s and commits on key up.
    const slider = host.page.getByRole('slider', { name: 'Position in Low tone' });
    await slider.focus();
    for (let i = 0; i < 5; i++) await slider.press('ArrowRight');
    await host.page.getByRole('button', { name: 'Resume' }).click();
    await Promise.all([waitUntilPlaying(host.page), waitUntilPlaying(guest.page)]);
    await guest.page.waitForTimeout(1_000);
    const [a, b] = await Promise.all([listening(host.page), listening(guest.page)]);
    expect(a.positionMs).toBeGreaterThan(pausedAt.positionMs + 4_000);
    expect(Math.abs(a.positionMs - a.at - (b.positionMs - b.at))).toBeLessThan(SYNC_TOLERANCE_MS);
  }, 60_000);

  it('shows the profile page, and nothing went wrong in either page', async () => {
    await guest.page.getByTestId('me-link').click();
    await guest.page.getByRole('heading', { name: 'Your profile' }).waitFor();
    await screenshot(guest.page, '07-profile');
    // The one refused upload above is logged by the browser as a failed resource: expected.
    const unexpected = [...host.problems.list, ...guest.problems.list].filter((p) => !/status of 415/.test(p));
    expect(unexpected).toEqual([]);
  }, 30_000);
});
