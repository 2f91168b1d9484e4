// Validates docs/asyncapi.yaml: `npm run validate:asyncapi`.
//
//   node tools/validate-asyncapi.js              check the document against the contracts
//   node tools/validate-asyncapi.js --self-test  fail unless known-bad inputs are rejected
//
// The document must parse as AsyncAPI with no error-level diagnostic (@asyncapi/parser),
// and describe exactly the events of libs/contracts: every key of each service's
// `<Service>Events` interface (libs/contracts/src/<service>/events.ts) needs a channel
// `<service>.events.<type>` carrying a message named `<type>` that the service sends,
// and every `*.events.*` channel needs such an event.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DOCUMENT = 'docs/asyncapi.yaml';
const CONTRACTS = 'libs/contracts/src';

/**
 * The top-level keys of `export interface <Name>Events { ... }` in TypeScript source:
 * the event types. Comments are dropped first, as they may hold braces or quotes.
 */
function eventTypesIn(source) {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  const start = /export\s+interface\s+\w+Events\s*\{/.exec(code);
  if (!start) return undefined;
  const types = [];
  let depth = 1;
  let i = start.index + start[0].length;
  while (i < code.length && depth > 0) {
    const ch = code[i];
    if (ch === '{') depth++;
    else if (ch === '}') depth--;
    else if (depth === 1 && (ch === "'" || ch === '"')) {
      const end = code.indexOf(ch, i + 1);
      const after = /^\s*\??\s*:/.exec(code.slice(end + 1));
      if (after) types.push(code.slice(i + 1, end));
      i = end;
    }
    i++;
  }
  return types;
}

/** `<service>.events.<type>` for every event in libs/contracts, or the files it could not read. */
function contractEvents() {
  const subjects = [];
  const problems = [];
  const dir = path.join(root, CONTRACTS);
  for (const service of readdirSync(dir).sort()) {
    const file = path.join(dir, service, 'events.ts');
    if (!existsSync(file)) continue;
    const types = eventTypesIn(readFileSync(file, 'utf8'));
    if (types === undefined) problems.push(`${CONTRACTS}/${service}/events.ts: no "export interface …Events {"`);
    else subjects.push(...types.map((type) => `${service}.events.${type}`));
  }
  return { subjects, problems };
}

/** Parses an AsyncAPI document; returns its error diagnostics and the event channels. */
async function parseDocument(text, source) {
  const { document, diagnostics } = await new Parser().parse(text, { source });
  const errors = diagnostics
    .filter((d) => d.severity === DiagnosticSeverity.Error)
    .map((d) => `${d.path.length ? d.path.join('.') : '(document)'}: ${d.message}`);
  const warnings = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Warning).length;
  if (!document) return { errors: errors.length ? errors : ['the document could not be parsed'], warnings, channels: [] };

  const sent = new Set();
  for (const operation of document.operations().all()) {
    if (operation.action() !== 'send') continue;
    for (const channel of operation.channels().all()) sent.add(channel.address());
  }
  const channels = document
    .channels()
    .all()
    .map((channel) => ({
      address: channel.address(),
      messages: channel.messages().all().map((m) => m.name()),
      sent: sent.has(channel.address()),
    }))
    .filter((c) => /^[^.]+\.events\./.test(c.address ?? ''));
  return { errors, warnings, channels, version: document.version() };
}

/** Where the contracts' events and the document's channels disagree. */
function compare(subjects, channels) {
  const problems = [];
  for (const subject of subjects) {
    const channel = channels.find((c) => c.address === subject);
    const type = subject.split('.').slice(2).join('.');
    if (!channel) problems.push(`${subject}: an event of libs/contracts without a channel in ${DOCUMENT}`);
    else {
      if (!channel.messages.includes(type)) problems.push(`${subject}: the channel has no message named "${type}"`);
      if (!channel.sent) problems.push(`${subject}: no operation sends on the channel`);
    }
  }
  for (const channel of channels) {
    if (!subjects.includes(channel.address)) problems.push(`${channel.address}: a channel without an event in libs/contracts`);
  }
  return problems;
}

async function selfTest() {
  const failures = [];
  const broken = await parseDocument('asyncapi: 3.0.0\nchannels: {}\n', 'self-test');
  if (broken.errors.length === 0) failures.push('a document without info was accepted');

  const source = `/** Events {not these} */\nexport interface DemoEvents {\n  // 'commented.out': {}\n  'a.created': { id: number; nested: { 'not.an.event': string } };\n  "b.removed"?: { id: number };\n}\n`;
  const types = eventTypesIn(source);
  if (JSON.stringify(types) !== JSON.stringify(['a.created', 'b.removed'])) failures.push(`event types read as ${JSON.stringify(types)}`);

  const channels = [
    { address: 'demo.events.a.created', messages: ['a.created'], sent: true },
    { address: 'demo.events.c.gone', messages: ['c.gone'], sent: true },
  ];
  const problems = compare(['demo.events.a.created', 'demo.events.b.removed'], channels);
  if (!problems.some((p) => p.startsWith('demo.events.b.removed: an event of libs/contracts without a channel'))) failures.push('a missing channel was not reported');
  if (!problems.some((p) => p.startsWith('demo.events.c.gone: a channel without an event'))) failures.push('an extra channel was not reported');
  const wrongName = compare(['demo.events.a.created'], [{ address: 'demo.events.a.created', messages: ['aCreated'], sent: false }]);
  if (wrongName.length !== 2) failures.push(`a wrongly named, unsent message gave ${JSON.stringify(wrongName)}`);
  return failures;
}

async function main() {
  if (process.argv.includes('--self-test')) {
    const failures = await selfTest();
    for (const failure of failures) console.error(`✗ ${failure}`);
    console.log(failures.length ? `asyncapi self-test failed: ${failures.length} problem(s)` : 'asyncapi self-test passed');
    process.exit(failures.length ? 1 : 0);
  }

  const text = readFileSync(path.join(root, DOCUMENT), 'utf8');
  const parsed = await parseDocument(text, path.join(root, DOCUMENT));
  const contracts = contractEvents();
  const problems = [...parsed.errors, ...contracts.problems, ...compare(contracts.subjects, parsed.channels)];
  if (problems.length) {
    console.error(`✗ ${DOCUMENT}: ${problems.length} problem(s)`);
    for (const problem of problems) console.error(`    ${problem}`);
    process.exit(1);
  }
  console.log(
    `✓ ${DOCUMENT}: AsyncAPI ${parsed.version}, no errors (${parsed.warnings} warning(s)); ` +
      `${parsed.channels.length} event channels match the ${contracts.subjects.length} events of libs/contracts`,
  );
}

await main();
