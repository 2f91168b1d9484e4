// Validates the Kubernetes manifests offline: `npm run validate:k8s`.
//
//   node tools/validate-k8s.js              render k8s/overlays/{dev,prod} and check them
//   node tools/validate-k8s.js --self-test  break the rendered overlays in known ways and
//                                           fail unless every break is caught
//
// Each overlay is rendered the way `kubectl kustomize` renders it, for the few
// kustomization fields the manifests use (resources, namespace, images, patches given
// by path, as strategic merge patches); any other field is refused rather than
// guessed at. When kubectl with kustomize v5 is on the PATH, its rendering is compared
// with ours. Every object is then validated against the Kubernetes schemas of
// kubernetes-models, and against the project's rules: hardened, probed and bounded
// containers; an autoscaler, a disruption budget and a migration step for every app;
// placeholder-only Secrets; only the gateway reachable from outside; NATS with
// JetStream (three servers in prod).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import YAML from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** What each overlay must be, beyond the rules every overlay follows. */
const OVERLAYS = {
  // Everything in the cluster, so every Secret a pod reads is in the overlay too.
  dev: { natsReplicas: 1, externalSecrets: false, statefulSets: ['minio', 'nats', 'postgres'] },
  // Managed PostgreSQL and object store; real Secrets are created by the operator.
  prod: { natsReplicas: 3, externalSecrets: true, statefulSets: ['nats'] },
};

/** The port of each service's health and metrics server (HEALTH_PORT). */
const HEALTH_PORTS = { identity: 3101, social: 3102, catalog: 3103, playlists: 3104, stages: 3105 };
const GATEWAY_PORT = 3000;
/** The namespace of the ingress controller: the only way in from outside. */
const INGRESS_NAMESPACE = 'ingress-nginx';
/** Ports an app may open: DNS, NATS, PostgreSQL, the object store (MinIO, or HTTPS). */
const EGRESS_PORTS = { gateway: [53, 4222, 9000, 443], service: [53, 4222, 5432, 9000, 443] };
const OBJECT_STORE_PORTS = [9000, 443];
/** Every Secret value in the repository must contain this. */
const PLACEHOLDER = 'change-me';

// ---------------------------------------------------------------------------------
// Rendering

const KUSTOMIZATION_FIELDS = ['apiVersion', 'kind', 'resources', 'namespace', 'images', 'patches'];
const CLUSTER_SCOPED = new Set([
  'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PersistentVolume', 'StorageClass',
  'PriorityClass', 'IngressClass', 'CustomResourceDefinition',
]);
// A strategic merge patch merges these lists item by item (containers by name, ...);
// this renderer replaces lists whole, so a patch must not contain them.
const MERGED_LISTS = new Set([
  'containers', 'initContainers', 'ephemeralContainers', 'env', 'volumes', 'volumeMounts',
  'ports', 'imagePullSecrets', 'finalizers', 'ownerReferences', 'hostAliases',
  'topologySpreadConstraints', 'resourceClaims', 'schedulingGates', 'conditions',
]);

const rel = (p) => path.relative(root, p) || '.';
const isMap = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const groupOf = (apiVersion) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');
const idOf = (obj) => `${obj.kind}/${obj.metadata?.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata?.name}`;

/** Every YAML document of a file, as `{obj, source}`. */
function readDocuments(file) {
  const items = [];
  for (const doc of YAML.parseAllDocuments(readFileSync(file, 'utf8'))) {
    if (doc.errors.length > 0) throw new Error(`${rel(file)}: ${doc.errors[0].message}`);
    const obj = doc.toJS();
    if (obj === null || obj === undefined) continue;
    if (!isMap(obj) || !obj.apiVersion || !obj.kind) throw new Error(`${rel(file)}: a document without apiVersion and kind`);
    items.push({ obj, source: rel(file) });
  }
  return items;
}

/** The objects a kustomization directory stands for, as `kubectl kustomize` prints them. */
function render(dir) {
  const file = path.join(dir, 'kustomization.yaml');
  if (!existsSync(file)) throw new Error(`${rel(dir)}: no kustomization.yaml`);
  const k = YAML.parse(readFileSync(file, 'utf8')) ?? {};
  for (const key of Object.keys(k)) {
    if (!KUSTOMIZATION_FIELDS.includes(key)) {
      throw new Error(`${rel(file)}: "${key}" is not understood by tools/validate-k8s.js (only ${KUSTOMIZATION_FIELDS.join(', ')})`);
    }
  }

  const items = [];
  for (const entry of k.resources ?? []) {
    const target = path.resolve(dir, entry);
    if (!existsSync(target)) throw new Error(`${rel(file)}: resource ${entry} does not exist`);
    items.push(...(statSync(target).isDirectory() ? render(target) : readDocuments(target)));
  }
  const ids = new Set();
  for (const { obj, source } of items) {
    const id = `${groupOf(obj.apiVersion)}:${idOf(obj)}`;
    if (ids.has(id)) throw new Error(`${source}: ${idOf(obj)} is defined twice`);
    ids.add(id);
  }

  for (const entry of k.patches ?? []) {
    if (!isMap(entry) || Object.keys(entry).some((key) => key !== 'path')) {
      throw new Error(`${rel(file)}: only patches given by path are understood`);
    }
    for (const { obj: patch, source } of readDocuments(path.resolve(dir, entry.path))) {
      assertPatchable(patch, source, []);
      const target = items.find(
        ({ obj }) =>
          obj.apiVersion === patch.apiVersion &&
          obj.kind === patch.kind &&
          obj.metadata?.name === patch.metadata?.name &&
          (patch.metadata?.namespace === undefined || patch.metadata.namespace === obj.metadata?.namespace),
      );
      if (!target) throw new Error(`${source}: the patch matches no resource (${idOf(patch)})`);
      target.obj = mergePatch(target.obj, patch);
    }
  }

  if (k.namespace) {
    for (const { obj } of items) {
      // kustomize renames Namespace objects to the overlay's namespace, too.
      if (obj.kind === 'Namespace') obj.metadata.name = k.namespace;
      else if (!CLUSTER_SCOPED.has(obj.kind)) obj.metadata.namespace = k.namespace;
    }
  }

  for (const image of k.images ?? []) {
    if (!isMap(image) || !image.name || Object.keys(image).some((key) => !['name', 'newName', 'newTag'].includes(key))) {
      throw new Error(`${rel(file)}: images entries may only have name, newName and newTag`);
    }
    for (const { obj } of items) retag(obj, image);
  }
  return items;
}

function assertPatchable(value, source, at) {
  if (Array.isArray(value)) {
    value.forEach((item, i) => assertPatchable(item, source, [...at, i]));
    return;
  }
  if (!isMap(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const where = [...at, key].join('.');
    if (key.startsWith('$')) throw new Error(`${source}: ${where}: patch directives are not understood`);
    if (MERGED_LISTS.has(key) && Array.isArray(child)) {
      throw new Error(`${source}: ${where}: kustomize merges this list by key; patch the base file instead`);
    }
    assertPatchable(child, source, [...at, key]);
  }
}

/** A strategic merge patch without merged lists: maps merge, null deletes, lists replace. */
function mergePatch(target, patch) {
  if (!isMap(target) || !isMap(patch)) return structuredClone(patch);
  const out = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(target[key], value);
  }
  return out;
}

/** kustomize's `images`: every container and init container image named `name`. */
function retag(node, { name, newName, newTag }) {
  if (Array.isArray(node)) {
    node.forEach((child) => retag(child, { name, newName, newTag }));
    return;
  }
  if (!isMap(node)) return;
  for (const [key, child] of Object.entries(node)) {
    if ((key === 'containers' || key === 'initContainers') && Array.isArray(child)) {
      for (const container of child) {
        if (typeof container?.image !== 'string') continue;
        const ref = parseImage(container.image);
        if (ref.name !== name) continue;
        const tag = newTag !== undefined ? `:${newTag}` : ref.tag ? `:${ref.tag}` : '';
        const digest = newTag === undefined && ref.digest ? `@${ref.digest}` : '';
        container.image = `${newName ?? ref.name}${tag}${digest}`;
      }
    } else {
      retag(child, { name, newName, newTag });
    }
  }
}

function parseImage(image) {
  const [withoutDigest, digest] = image.split('@');
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  if (colon > slash) return { name: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1), digest };
  return { name: withoutDigest, tag: undefined, digest };
}

/** kubectl's own rendering, when kubectl with kustomize v5 is here; else why not. */
function kubectlRender(dir) {
  const version = spawnSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8', timeout: 30_000 });
  if (version.error || version.status !== 0) return { skipped: 'kubectl not found' };
  let kustomizeVersion;
  try {
    kustomizeVersion = JSON.parse(version.stdout).kustomizeVersion;
  } catch {
    return { skipped: 'kubectl did not report its kustomize version' };
  }
  if (!/^v([5-9]|\d{2,})\./.test(kustomizeVersion ?? '')) return { skipped: `kubectl has kustomize ${kustomizeVersion}, not v5` };
  const out = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 60_000 });
  if (out.error || out.status !== 0) return { error: `kubectl kustomize ${rel(dir)} failed: ${out.error?.message ?? out.stderr.trim()}` };
  return { version: kustomizeVersion, objects: YAML.parseAllDocuments(out.stdout).map((d) => d.toJS()).filter(Boolean) };
}

function compareRenderings(ours, theirs) {
  const problems = [];
  const mine = new Map(ours.map(({ obj }) => [`${obj.apiVersion}:${idOf(obj)}`, obj]));
  const other = new Map(theirs.map((obj) => [`${obj.apiVersion}:${idOf(obj)}`, obj]));
  for (const [id, obj] of mine) {
    if (!other.has(id)) problems.push(`${id}: rendered here, not by kubectl kustomize`);
    else if (!isDeepStrictEqual(obj, other.get(id))) problems.push(`${id}: differs from kubectl kustomize at ${firstDifference(obj, other.get(id))}`);
  }
  for (const id of other.keys()) if (!mine.has(id)) problems.push(`${id}: rendered by kubectl kustomize, not here`);
  return problems;
}

function firstDifference(a, b, at = '') {
  if (isDeepStrictEqual(a, b)) return undefined;
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const found = firstDifference(a[key], b[key], `${at}.${key}`);
      if (found) return found;
    }
  }
  return at || '(root)';
}

// ---------------------------------------------------------------------------------
// Schemas

const models = new Map();

/** The kubernetes-models class of every kind in `objects`, loaded once. */
async function loadModels(objects) {
  for (const obj of objects) {
    const key = `${obj.apiVersion}/${obj.kind}`;
    if (models.has(key)) continue;
    try {
      const mod = await import(`kubernetes-models/${obj.apiVersion}/${obj.kind}`);
      models.set(key, mod[obj.kind]);
    } catch {
      models.set(key, undefined);
    }
  }
}

function checkSchema(obj, fail) {
  const Model = models.get(`${obj.apiVersion}/${obj.kind}`);
  if (!Model) {
    fail(`${obj.apiVersion} ${obj.kind} is not a Kubernetes kind that kubernetes-models knows`);
    return;
  }
  try {
    new Model(obj).validate();
  } catch (err) {
    fail(`schema: ${err.message}`);
  }
  const name = obj.metadata?.name ?? '';
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) || name.length > 253) fail(`"${name}" is not a valid name`);
}

// ---------------------------------------------------------------------------------
// Project rules

const labelsOf = (template) => template?.metadata?.labels ?? {};

/** A label selector (matchLabels/matchExpressions) against a set of labels. */
function selects(selector, labels) {
  if (!isMap(selector)) return false;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, key);
    if (operator === 'In' && !(has && values.includes(labels[key]))) return false;
    if (operator === 'NotIn' && has && values.includes(labels[key])) return false;
    if (operator === 'Exists' && !has) return false;
    if (operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

function podTemplateOf(obj) {
  switch (obj.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return obj.spec?.template;
    case 'CronJob':
      return obj.spec?.jobTemplate?.spec?.template;
    case 'Pod':
      return obj;
    default:
      return undefined;
  }
}

function checkPod(template, fail) {
  const spec = template.spec ?? {};
  const podSecurity = spec.securityContext ?? {};
  if (spec.hostNetwork || spec.hostPID || spec.hostIPC) fail('uses the host network, PID or IPC namespace');
  const groups = [
    ['container', spec.containers ?? []],
    ['init container', spec.initContainers ?? []],
  ];
  for (const [what, containers] of groups) {
    for (const c of containers) {
      const at = `${what} ${c.name}`;
      const security = c.securityContext ?? {};
      if ((security.runAsNonRoot ?? podSecurity.runAsNonRoot) !== true) fail(`${at}: runAsNonRoot must be true`);
      if ((security.runAsUser ?? podSecurity.runAsUser) === 0) fail(`${at}: runs as uid 0`);
      if (security.readOnlyRootFilesystem !== true) fail(`${at}: readOnlyRootFilesystem must be true`);
      if (security.allowPrivilegeEscalation !== false) fail(`${at}: allowPrivilegeEscalation must be false`);
      if (security.privileged) fail(`${at}: privileged`);
      if (!security.capabilities?.drop?.includes('ALL')) fail(`${at}: capabilities must drop ALL`);
      if (security.capabilities?.add?.length) fail(`${at}: adds capabilities`);
      const seccomp = (security.seccompProfile ?? podSecurity.seccompProfile)?.type;
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') fail(`${at}: seccompProfile must be RuntimeDefault`);
      for (const bound of ['requests', 'limits']) {
        for (const resource of ['cpu', 'memory']) {
          if (!c.resources?.[bound]?.[resource]) fail(`${at}: no ${resource} in resources.${bound}`);
        }
      }
      if (what === 'container') {
        if (!c.livenessProbe) fail(`${at}: no livenessProbe`);
        if (!c.readinessProbe) fail(`${at}: no readinessProbe`);
      }
      const ref = parseImage(c.image ?? '');
      if (!ref.digest && (!ref.tag || ref.tag === 'latest')) fail(`${at}: image "${c.image}" needs a tag other than latest`);
      if ((c.ports ?? []).some((p) => p.hostPort)) fail(`${at}: uses a hostPort`);
    }
  }
}

function envValue(container, name) {
  return (container.env ?? []).find((e) => e.name === name)?.value;
}

/** The port number an httpGet probe asks, resolving named ports. */
function probePort(container, probe) {
  const port = probe?.httpGet?.port;
  if (typeof port === 'number') return port;
  return (container.ports ?? []).find((p) => p.name === port)?.containerPort;
}

function checkProbes(container, port, livePath, readyPath, fail) {
  for (const [probe, wanted] of [['livenessProbe', livePath], ['readinessProbe', readyPath]]) {
    const actual = container[probe]?.httpGet;
    if (actual?.path !== wanted || probePort(container, container[probe]) !== port) {
      fail(`${probe} must be GET ${wanted} on port ${port}`);
    }
  }
}

/**
 * The app projects that run as processes: apps/<name> with a project.json and a
 * src/main.ts (the web client is static files the gateway serves, not a process).
 */
function appProjects() {
  const dir = path.join(root, 'apps');
  return readdirSync(dir)
    .filter((name) => existsSync(path.join(dir, name, 'project.json')) && existsSync(path.join(dir, name, 'src', 'main.ts')))
    .sort();
}

function checkApps(objects, report, projects) {
  const deployments = objects.filter((o) => o.kind === 'Deployment');
  const apps = deployments.filter((o) => ['gateway', 'service'].includes(labelsOf(o.spec?.template)['app.kubernetes.io/component']));
  const names = apps.map((o) => o.metadata.name);

  for (const project of projects) {
    if (!names.includes(project)) {
      report('overlay', `apps/${project} has no Deployment: add k8s/base/${project}.yaml (like identity.yaml, with HEALTH_PORT ${HEALTH_PORTS[project] ?? '?'}) to k8s/base/kustomization.yaml, and its autoscaler to the prod overlay`);
    }
  }

  for (const app of apps) {
    const name = app.metadata.name;
    const fail = (message) => report(idOf(app), message);
    const template = app.spec.template;
    const component = labelsOf(template)['app.kubernetes.io/component'];
    if (!projects.includes(name)) fail(`no app apps/${name} in the workspace`);
    if (labelsOf(template)['app.kubernetes.io/name'] !== name) fail(`pod label app.kubernetes.io/name must be "${name}"`);
    if (app.spec.replicas !== undefined) fail('sets spec.replicas, which its HorizontalPodAutoscaler owns (an apply would reset the count)');

    const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.spec?.scaleTargetRef?.kind === 'Deployment' && o.spec.scaleTargetRef.name === name);
    if (!hpa) fail('no HorizontalPodAutoscaler scales it');
    const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget' && selects(o.spec?.selector, labelsOf(template)));
    if (!pdb) fail('no PodDisruptionBudget covers its pods');

    const containers = template.spec?.containers ?? [];
    const main = containers.find((c) => c.name === name);
    if (!main) {
      fail(`no container named "${name}"`);
      continue;
    }
    const script = `apps/${name}/dist/main.js`;
    const command = [...(main.command ?? []), ...(main.args ?? [])];
    if (!command.includes(script) || command.includes('migrate')) fail(`the container must run ${script}`);
    const annotations = template.metadata?.annotations ?? {};

    let port;
    if (component === 'gateway') {
      port = GATEWAY_PORT;
      if (envValue(main, 'PORT') !== String(port)) fail(`PORT must be "${port}"`);
      checkProbes(main, port, '/api/health/live', '/api/health/ready', fail);
    } else {
      port = HEALTH_PORTS[name];
      if (port === undefined) {
        fail(`unknown service: give it a HEALTH_PORT in tools/validate-k8s.js`);
        continue;
      }
      if (envValue(main, 'HEALTH_PORT') !== String(port)) fail(`HEALTH_PORT must be "${port}"`);
      checkProbes(main, port, '/health/live', '/health/ready', fail);
      // The schema is migrated before this version serves: an init container of the
      // same image runs `main.js migrate` with the same settings.
      const migrate = (template.spec.initContainers ?? []).find((c) => [...(c.command ?? []), ...(c.args ?? [])].includes('migrate'));
      if (!migrate) fail('no init container runs `migrate`');
      else {
        const migrateCommand = [...(migrate.command ?? []), ...(migrate.args ?? [])];
        if (!migrateCommand.includes(script)) fail(`the migrate init container must run ${script} migrate`);
        if (migrate.image !== main.image) fail('the migrate init container must use the same image as the service');
        if (!isDeepStrictEqual(migrate.envFrom, main.envFrom)) fail('the migrate init container must read the same ConfigMaps and Secrets as the service');
      }
    }
    if ((main.ports ?? []).every((p) => p.containerPort !== port)) fail(`does not declare containerPort ${port}`);
    if (annotations['prometheus.io/scrape'] !== 'true' || annotations['prometheus.io/port'] !== String(port) || annotations['prometheus.io/path'] !== '/metrics') {
      fail(`pod annotations must say prometheus.io/scrape "true", port "${port}", path /metrics`);
    }
  }
  return apps;
}

/** ConfigMaps and Secrets that pods and Ingresses name; returns the Secrets left to the operator. */
function checkReferences(objects, overlay, report) {
  const external = new Set();
  const find = (kind, name) => objects.find((o) => o.kind === kind && o.metadata.name === name);
  const resolve = (owner, kind, name, key, optional) => {
    const target = find(kind, name);
    if (!target) {
      if (optional) return;
      if (kind === 'Secret' && overlay.externalSecrets) external.add(name);
      else report(owner, `${kind} ${name} is not in the overlay`);
      return;
    }
    if (key !== undefined && !Object.hasOwn(target.data ?? {}, key) && !Object.hasOwn(target.stringData ?? {}, key)) {
      report(owner, `${kind} ${name} has no key ${key}`);
    }
  };
  for (const obj of objects) {
    const owner = idOf(obj);
    const spec = podTemplateOf(obj)?.spec;
    if (spec) {
      for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
        for (const from of c.envFrom ?? []) {
          if (from.configMapRef) resolve(owner, 'ConfigMap', from.configMapRef.name, undefined, from.configMapRef.optional);
          if (from.secretRef) resolve(owner, 'Secret', from.secretRef.name, undefined, from.secretRef.optional);
        }
        for (const { valueFrom } of c.env ?? []) {
          const cm = valueFrom?.configMapKeyRef;
          const secret = valueFrom?.secretKeyRef;
          if (cm) resolve(owner, 'ConfigMap', cm.name, cm.key, cm.optional);
          if (secret) resolve(owner, 'Secret', secret.name, secret.key, secret.optional);
        }
      }
      for (const volume of spec.volumes ?? []) {
        if (volume.configMap) resolve(owner, 'ConfigMap', volume.configMap.name, undefined, volume.configMap.optional);
        if (volume.secret) resolve(owner, 'Secret', volume.secret.secretName, undefined, volume.secret.optional);
      }
    }
    if (obj.kind === 'Ingress') {
      for (const tls of obj.spec?.tls ?? []) if (tls.secretName) resolve(owner, 'Secret', tls.secretName);
    }
  }
  return [...external].sort();
}

function checkSecrets(objects, report) {
  for (const secret of objects.filter((o) => o.kind === 'Secret')) {
    const values = [
      ...Object.entries(secret.stringData ?? {}).map(([key, value]) => [key, String(value)]),
      ...Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(String(value), 'base64').toString('utf8')]),
    ];
    for (const [key, value] of values) {
      if (!value.includes(PLACEHOLDER)) report(idOf(secret), `${key} is not a placeholder: only values containing "${PLACEHOLDER}" may be committed`);
    }
  }
}

function checkAutoscalersAndBudgets(objects, pods, report) {
  for (const hpa of objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
    const ref = hpa.spec?.scaleTargetRef ?? {};
    if (!objects.some((o) => o.kind === ref.kind && o.metadata.name === ref.name)) report(idOf(hpa), `scales ${ref.kind} ${ref.name}, which is not in the overlay`);
    if ((hpa.spec?.minReplicas ?? 1) > hpa.spec?.maxReplicas) report(idOf(hpa), 'minReplicas is above maxReplicas');
  }
  for (const pdb of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
    if (!pods.some((p) => selects(pdb.spec?.selector, p.labels))) report(idOf(pdb), 'selects no pods');
  }
}

function checkExposure(objects, pods, report) {
  const gatewayPods = pods.filter((p) => p.labels['app.kubernetes.io/component'] === 'gateway');
  for (const service of objects.filter((o) => o.kind === 'Service')) {
    const type = service.spec?.type ?? 'ClusterIP';
    if (type !== 'ClusterIP') report(idOf(service), `type ${type} would reach it from outside the cluster; only the gateway's Ingress may`);
    if (!pods.some((p) => selects({ matchLabels: service.spec?.selector ?? {} }, p.labels))) report(idOf(service), 'selects no pods');
  }
  const ingresses = objects.filter((o) => o.kind === 'Ingress');
  if (ingresses.length !== 1) report('overlay', `expected exactly one Ingress (the gateway's), found ${ingresses.length}`);
  for (const ingress of ingresses) {
    const paths = [];
    for (const rule of ingress.spec?.rules ?? []) {
      for (const p of rule.http?.paths ?? []) {
        paths.push(p.path);
        const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === p.backend?.service?.name);
        const toGateway = service && gatewayPods.some((pod) => selects({ matchLabels: service.spec?.selector ?? {} }, pod.labels));
        if (!toGateway) report(idOf(ingress), `path ${p.path} must lead to the gateway's Service`);
      }
    }
    for (const wanted of ['/api', '/realtime']) if (!paths.includes(wanted)) report(idOf(ingress), `no path ${wanted}`);
    if (ingress.spec?.defaultBackend) report(idOf(ingress), 'a defaultBackend exposes more than the gateway');
  }
}

function isEmptySelector(selector) {
  return isMap(selector) && Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

function checkNetworkPolicies(objects, pods, apps, report) {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const denyAll = policies.some(
    (p) =>
      isEmptySelector(p.spec?.podSelector) &&
      ['Ingress', 'Egress'].every((t) => p.spec?.policyTypes?.includes(t)) &&
      !p.spec?.ingress?.length &&
      !p.spec?.egress?.length,
  );
  if (!denyAll) report('overlay', 'no default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules)');

  for (const policy of policies) {
    const fail = (message) => report(idOf(policy), message);
    const targets = pods.filter((p) => selects(policy.spec?.podSelector, p.labels));
    if (targets.length === 0) fail('selects no pods');
    for (const [direction, rules, peersKey] of [['ingress', policy.spec?.ingress ?? [], 'from'], ['egress', policy.spec?.egress ?? [], 'to']]) {
      for (const rule of rules) {
        const peers = rule[peersKey] ?? [];
        if (peers.length === 0) fail(`an ${direction} rule without "${peersKey}" allows any ${direction === 'ingress' ? 'source' : 'destination'}`);
        if (direction === 'egress' && !(rule.ports ?? []).length) fail('an egress rule without ports allows every port');
        for (const peer of peers) {
          if (direction === 'ingress' && peer.ipBlock) fail('ingress from an ipBlock reaches pods from outside the cluster');
          if (peer.namespaceSelector && isEmptySelector(peer.namespaceSelector) && direction === 'ingress') fail('ingress from every namespace');
          const fromIngress = peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === INGRESS_NAMESPACE;
          if (direction === 'ingress' && fromIngress && targets.some((p) => p.labels['app.kubernetes.io/component'] !== 'gateway')) {
            fail(`lets the ingress controller reach ${targets.map((p) => p.name).join(', ')}: only the gateway may be reachable from outside`);
          }
          // A peer within the namespace must name pods that exist (a typo selects none).
          if (peer.podSelector && !peer.namespaceSelector && !pods.some((p) => selects(peer.podSelector, p.labels))) {
            fail(`a ${peersKey} podSelector selects no pods`);
          }
        }
      }
    }
  }

  // What each app may open, from every policy that selects it.
  for (const app of apps) {
    const labels = labelsOf(app.spec.template);
    const component = labels['app.kubernetes.io/component'];
    const open = new Set();
    for (const policy of policies) {
      if (!policy.spec?.policyTypes?.includes('Egress') || !selects(policy.spec.podSelector, labels)) continue;
      for (const rule of policy.spec.egress ?? []) {
        for (const port of rule.ports ?? []) {
          if (typeof port.port !== 'number') report(idOf(policy), 'egress ports must be numbers, so they can be checked');
          else open.add(port.port);
        }
      }
    }
    const fail = (message) => report(idOf(app), message);
    const extra = [...open].filter((port) => !EGRESS_PORTS[component].includes(port));
    if (extra.length) fail(`may open port(s) ${extra.join(', ')}; a ${component} talks only to ${component === 'gateway' ? 'NATS, the object store' : 'NATS, PostgreSQL, the object store'} and DNS`);
    const secrets = new Set((app.spec.template.spec?.containers ?? []).flatMap((c) => (c.envFrom ?? []).map((f) => f.secretRef?.name)));
    if (!open.has(53)) fail('may not reach DNS (port 53)');
    if (!open.has(4222)) fail('may not reach NATS (port 4222)');
    if (secrets.has('octave-database') && !open.has(5432)) fail('reads DATABASE_URL but may not reach PostgreSQL (port 5432)');
    if (secrets.has('octave-object-store') && !OBJECT_STORE_PORTS.some((p) => open.has(p))) fail('reads the S3 keys but may not reach the object store');
  }
}

/** The nats-server binary, when this machine has one (CI installs it). */
function natsServerBinary() {
  for (const candidate of ['nats-server', '/usr/sbin/nats-server']) {
    const r = spawnSync(candidate, ['--version'], { encoding: 'utf8', timeout: 10_000 });
    if (!r.error && r.status === 0) return candidate;
  }
  return undefined;
}

function checkNats(objects, overlay, report, natsServer) {
  const nats = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'nats');
  if (!nats) {
    report('overlay', 'no StatefulSet nats');
    return;
  }
  const fail = (message) => report(idOf(nats), message);
  const replicas = nats.spec?.replicas ?? 1;
  if (replicas !== overlay.natsReplicas) fail(`runs ${replicas} replica(s); this overlay needs ${overlay.natsReplicas} replicas`);
  const configVolume = (nats.spec.template.spec?.volumes ?? []).find((v) => v.configMap);
  const config = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === configVolume?.configMap.name)?.data?.['nats.conf'];
  if (!config) {
    fail('no nats.conf from a ConfigMap volume');
    return;
  }
  const storeDir = /jetstream\s*\{[^}]*store_dir:\s*"?([^\s"]+)"?/.exec(config)?.[1];
  if (!storeDir) fail('nats.conf does not enable JetStream with a store_dir');
  const mounts = nats.spec.template.spec?.containers?.[0]?.volumeMounts ?? [];
  const claims = (nats.spec.volumeClaimTemplates ?? []).map((t) => t.metadata?.name);
  if (storeDir && !mounts.some((m) => claims.includes(m.name) && (storeDir === m.mountPath || storeDir.startsWith(`${m.mountPath}/`)))) {
    fail(`JetStream's store_dir ${storeDir} is not on a volume claim`);
  }
  const routes = [...config.matchAll(/nats:\/\/(nats-\d+)\.nats-headless:6222/g)].map((m) => m[1]);
  if (replicas > 1) {
    const wanted = Array.from({ length: replicas }, (_, i) => `nats-${i}`);
    if (!/cluster\s*\{/.test(config) || !isDeepStrictEqual([...new Set(routes)].sort(), wanted)) {
      fail(`${replicas} servers need a cluster block routing to ${wanted.join(', ')}`);
    }
  } else if (/cluster\s*\{/.test(config)) {
    fail('a single server with a cluster block waits for peers that never come');
  }
  if (natsServer) {
    const dir = mkdtempSync(path.join(tmpdir(), 'octave-nats-'));
    try {
      writeFileSync(path.join(dir, 'nats.conf'), config);
      const r = spawnSync(natsServer, ['-t', '-c', path.join(dir, 'nats.conf')], {
        encoding: 'utf8',
        timeout: 10_000,
        env: { ...process.env, POD_NAME: 'nats-0' },
      });
      if (r.status !== 0) fail(`nats-server -t rejects nats.conf: ${(r.stderr || r.stdout).trim()}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/**
 * Every error in one rendered overlay, as "where: what". `projects` is the list of app
 * projects the overlay must run.
 */
function checkOverlay(items, overlay, projects, natsServer) {
  const errors = [];
  const report = (where, message) => errors.push(`${where}: ${message}`);
  const objects = items.map((i) => i.obj);

  for (const { obj, source } of items) checkSchema(obj, (message) => report(`${idOf(obj)} (${source})`, message));
  if (errors.length > 0) return { errors, external: [] };

  const pods = [];
  for (const obj of objects) {
    const template = podTemplateOf(obj);
    if (!template) continue;
    pods.push({ name: obj.metadata.name, labels: labelsOf(template) });
    checkPod(template, (message) => report(idOf(obj), message));
    if (obj.spec?.selector && !selects(obj.spec.selector, labelsOf(template))) report(idOf(obj), 'its selector does not match its pod template');
  }
  const apps = checkApps(objects, report, projects);
  const external = checkReferences(objects, overlay, report);
  checkSecrets(objects, report);
  checkAutoscalersAndBudgets(objects, pods, report);
  checkExposure(objects, pods, report);
  checkNetworkPolicies(objects, pods, apps, report);
  checkNats(objects, overlay, report, natsServer);

  const statefulSets = objects.filter((o) => o.kind === 'StatefulSet').map((o) => o.metadata.name).sort();
  if (!isDeepStrictEqual(statefulSets, overlay.statefulSets)) {
    report('overlay', `runs StatefulSets ${statefulSets.join(', ') || '(none)'}; expected ${overlay.statefulSets.join(', ')}`);
  }
  return { errors, external };
}

// ---------------------------------------------------------------------------------
// Self-test: each break of a valid overlay must be reported, with the expected words.

const find = (items, kind, name) => {
  const item = items.find((i) => i.obj.kind === kind && i.obj.metadata.name === name);
  if (!item) throw new Error(`self-test: no ${kind} ${name} to break`);
  return item.obj;
};
const container = (items, app) => find(items, 'Deployment', app).spec.template.spec.containers.find((c) => c.name === app);
const drop = (items, kind, name) => items.splice(items.indexOf(items.find((i) => i.obj.kind === kind && i.obj.metadata.name === name)), 1);

const BREAKS = [
  ['a field of the wrong type', 'dev', (items) => { find(items, 'Deployment', 'gateway').spec.minReadySeconds = 'soon'; }, /schema: .*minReadySeconds must be integer/],
  ['an unknown kind', 'dev', (items) => { items.push({ obj: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }, source: 'self-test' }); }, /not a Kubernetes kind/],
  ['a writable root filesystem', 'dev', (items) => { container(items, 'identity').securityContext.readOnlyRootFilesystem = false; }, /identity: container identity: readOnlyRootFilesystem/],
  ['a root container', 'prod', (items) => { find(items, 'Deployment', 'gateway').spec.template.spec.securityContext.runAsNonRoot = false; }, /gateway: container gateway: runAsNonRoot/],
  ['a missing memory limit', 'prod', (items) => { delete container(items, 'catalog').resources.limits.memory; }, /catalog: container catalog: no memory in resources.limits/],
  ['a missing readiness probe', 'dev', (items) => { delete container(items, 'social').readinessProbe; }, /social: container social: no readinessProbe/],
  ['a readiness probe on the wrong path', 'dev', (items) => { container(items, 'gateway').readinessProbe.httpGet.path = '/api/health/live'; }, /readinessProbe must be GET \/api\/health\/ready/],
  ['a wrong HEALTH_PORT', 'dev', (items) => { container(items, 'identity').env.find((e) => e.name === 'HEALTH_PORT').value = '3999'; }, /HEALTH_PORT must be "3101"/],
  ['an app without autoscaler', 'prod', (items) => { drop(items, 'HorizontalPodAutoscaler', 'social'); }, /social: no HorizontalPodAutoscaler/],
  ['an app without disruption budget', 'dev', (items) => { drop(items, 'PodDisruptionBudget', 'gateway'); }, /gateway: no PodDisruptionBudget/],
  ['fixed replicas beside an autoscaler', 'prod', (items) => { find(items, 'Deployment', 'gateway').spec.replicas = 3; }, /sets spec.replicas/],
  ['a service without the migrate step', 'prod', (items) => { delete find(items, 'Deployment', 'identity').spec.template.spec.initContainers; }, /identity: no init container runs `migrate`/],
  ['a workspace app without manifests', 'dev', (items) => { drop(items, 'Deployment', 'catalog'); }, /apps\/catalog has no Deployment/],
  ['a real-looking secret', 'dev', (items) => { find(items, 'Secret', 'octave-jwt').stringData.JWT_SECRET = 'q8Vn2LrX7pTz4KwM9sYb3HcJ6dFg1AeU'; }, /JWT_SECRET is not a placeholder/],
  ['a Secret missing in dev', 'dev', (items) => { drop(items, 'Secret', 'octave-database'); }, /Secret octave-database is not in the overlay/],
  ['a missing ConfigMap', 'prod', (items) => { container(items, 'gateway').envFrom[0].configMapRef.name = 'octave-settings'; }, /ConfigMap octave-settings is not in the overlay/],
  ['one NATS server in prod', 'prod', (items) => { find(items, 'StatefulSet', 'nats').spec.replicas = 1; }, /runs 1 replica\(s\); this overlay needs 3 replicas/],
  ['NATS without JetStream', 'dev', (items) => { const cm = find(items, 'ConfigMap', 'nats-config'); cm.data['nats.conf'] = cm.data['nats.conf'].replace(/jetstream \{[^}]*\}/, ''); }, /does not enable JetStream/],
  ['a NodePort Service', 'dev', (items) => { find(items, 'Service', 'gateway').spec.type = 'NodePort'; }, /type NodePort/],
  ['a service reachable from the ingress controller', 'prod', (items) => { find(items, 'NetworkPolicy', 'ingress-service-health').spec.ingress[0].from.push({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': INGRESS_NAMESPACE } } }); }, /only the gateway may be reachable from outside/],
  ['egress to anywhere', 'prod', (items) => { find(items, 'NetworkPolicy', 'egress-nats').spec.egress.push({ ports: [{ protocol: 'TCP', port: 4222 }] }); }, /allows any destination/],
  ['a service allowed another port', 'dev', (items) => { find(items, 'NetworkPolicy', 'egress-postgres').spec.egress[0].ports.push({ protocol: 'TCP', port: 6379 }); }, /may open port\(s\) 6379/],
  ['no way to PostgreSQL', 'prod', (items) => { drop(items, 'NetworkPolicy', 'egress-postgres'); }, /may not reach PostgreSQL/],
  ['no default deny', 'dev', (items) => { drop(items, 'NetworkPolicy', 'default-deny'); }, /no default-deny NetworkPolicy/],
  ['PostgreSQL in the prod cluster', 'prod', (items) => { const pg = structuredClone(find(items, 'StatefulSet', 'nats')); pg.metadata.name = 'postgres'; items.push({ obj: pg, source: 'self-test' }); }, /runs StatefulSets nats, postgres; expected nats/],
];

/** The kustomize features the renderer must get right, or refuse. */
function selfTestRenderer() {
  const failures = [];
  const merged = mergePatch({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, d: null, e: 'x' });
  if (!isDeepStrictEqual(merged, { a: { b: 1, c: [3] }, e: 'x' })) failures.push(`mergePatch gave ${JSON.stringify(merged)}`);
  const pod = { spec: { containers: [{ image: 'octave' }, { image: 'nats:2.10-alpine' }], initContainers: [{ image: 'reg.example.com:5000/octave:1@sha256:abc' }] } };
  retag(pod, { name: 'octave', newTag: 'dev' });
  retag(pod, { name: 'reg.example.com:5000/octave', newName: 'octave2', newTag: '2' });
  const images = [...pod.spec.containers, ...pod.spec.initContainers].map((c) => c.image);
  if (!isDeepStrictEqual(images, ['octave:dev', 'nats:2.10-alpine', 'octave2:2'])) failures.push(`images became ${images.join(', ')}`);
  try {
    assertPatchable({ spec: { template: { spec: { containers: [{ name: 'x' }] } } } }, 'self-test', []);
    failures.push('a patch of a merged list (containers) was accepted');
  } catch {
    // expected
  }
  return failures;
}

async function selfTest(rendered, projects, natsServer) {
  const failures = selfTestRenderer();
  for (const [name, items] of Object.entries(rendered)) {
    const { errors } = checkOverlay(items, OVERLAYS[name], projects, natsServer);
    if (errors.length) failures.push(`the unbroken ${name} overlay is not clean: ${errors[0]}`);
  }
  for (const [what, overlay, breakIt, expected] of BREAKS) {
    const items = structuredClone(rendered[overlay]);
    breakIt(items);
    await loadModels(items.map((i) => i.obj));
    const { errors } = checkOverlay(items, OVERLAYS[overlay], projects, natsServer);
    if (!errors.some((e) => expected.test(e))) {
      failures.push(`${what} (${overlay}) was not caught${errors.length ? `; reported instead: ${errors.join(' | ')}` : ''}`);
    } else {
      console.log(`  caught: ${what} (${overlay})`);
    }
  }
  return failures;
}

// ---------------------------------------------------------------------------------

async function main() {
  const selfTesting = process.argv.includes('--self-test');
  const natsServer = natsServerBinary();
  const projects = appProjects();
  const rendered = {};
  let failed = false;

  for (const name of Object.keys(OVERLAYS)) {
    const dir = path.join(root, 'k8s', 'overlays', name);
    try {
      rendered[name] = render(dir);
    } catch (err) {
      console.error(`✗ ${name}: cannot render: ${err.message}`);
      failed = true;
    }
  }
  if (failed) process.exit(1);
  await loadModels(Object.values(rendered).flatMap((items) => items.map((i) => i.obj)));

  if (selfTesting) {
    console.log(`self-test: ${BREAKS.length} broken variants of the overlays, and the renderer`);
    const failures = await selfTest(rendered, projects, natsServer);
    for (const failure of failures) console.error(`✗ ${failure}`);
    console.log(failures.length ? `self-test failed: ${failures.length} problem(s)` : `self-test passed: every break was caught`);
    process.exit(failures.length ? 1 : 0);
  }

  for (const [name, items] of Object.entries(rendered)) {
    const { errors, external } = checkOverlay(items, OVERLAYS[name], projects, natsServer);
    const kubectl = kubectlRender(path.join(root, 'k8s', 'overlays', name));
    let crossCheck;
    if (kubectl.skipped) crossCheck = `kustomize cross-check skipped (${kubectl.skipped})`;
    else if (kubectl.error) errors.push(kubectl.error);
    else {
      const differences = compareRenderings(items, kubectl.objects);
      errors.push(...differences);
      crossCheck = differences.length ? undefined : `same as kubectl kustomize (${kubectl.version})`;
    }
    const kinds = new Map();
    for (const { obj } of items) kinds.set(obj.kind, (kinds.get(obj.kind) ?? 0) + 1);
    const counts = [...kinds].map(([kind, n]) => `${n} ${kind}`).join(', ');
    if (errors.length) {
      failed = true;
      console.error(`✗ ${name}: ${errors.length} error(s) in ${items.length} objects`);
      for (const error of errors) console.error(`    ${error}`);
    } else {
      console.log(`✓ ${name}: ${items.length} objects valid (${counts})`);
      if (crossCheck) console.log(`    ${crossCheck}`);
      if (external.length) console.log(`    Secrets the operator creates: ${external.join(', ')}`);
    }
  }
  if (!natsServer) console.log('    nats.conf not tested: no nats-server on this machine');
  process.exit(failed ? 1 : 0);
}

await main();
