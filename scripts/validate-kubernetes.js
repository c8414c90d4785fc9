#!/usr/bin/env node
// Checks Kubernetes manifests offline against the API's OpenAPI shapes (Kubernetes 1.27, npm kubernetes-models):
// - every document by its apiVersion and kind: types, required fields, enums and formats (the package's JSON-schema
//   validators);
// - fields the API does not have (a typo such as `livenesProbe`): the package's TypeScript types, through the
//   TypeScript compiler's excess-property check, since the OpenAPI shapes themselves allow any extra field;
// - a kustomization.yaml: each resource it lists exists, and every manifest beside it is listed.
//
//   node scripts/validate-kubernetes.js [--modules DIR] PATH...     (files or folders, searched for *.yaml / *.yml)
//
// Prints one line per document ("ok" or each problem, with file, document number, kind, name and field path).
// Exit status: 0 all valid, 1 a manifest is invalid, 2 a wrong argument or the modules are missing.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

const args = process.argv.slice(2);
let modulesDir = path.join(__dirname, '..', '.tools', 'kubernetes-validate', 'node_modules');
const inputs = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--modules') modulesDir = args[++i];
  else inputs.push(args[i]);
}
if (inputs.length === 0 || !modulesDir) usage('name the manifests to check: files or folders');
modulesDir = path.resolve(modulesDir);

function usage(message) {
  console.error(`validate-kubernetes: ${message}\nusage: node scripts/validate-kubernetes.js [--modules DIR] PATH...`);
  process.exit(2);
}

function load(name) {
  try {
    return require(path.join(modulesDir, name));
  } catch (e) {
    console.error(`validate-kubernetes: cannot load ${name} from ${modulesDir} (${e.code || e.message}): run bash scripts/install-test-servers.sh`);
    process.exit(2);
  }
}

const yaml = load('js-yaml');
const ts = load('typescript');

function manifestFiles(input) {
  let stat;
  try { stat = fs.statSync(input); } catch { usage(`${input} does not exist`); }
  if (stat.isFile()) return [input];
  const found = [];
  for (const entry of fs.readdirSync(input, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(input, entry.name);
    if (entry.isDirectory()) found.push(...manifestFiles(full));
    else if (/\.ya?ml$/.test(entry.name)) found.push(full);
  }
  return found;
}

// kubernetes-models/<group>/<version>/<Kind> for "group/version"; kubernetes-models/v1/<Kind> for the core group.
function modelPath(apiVersion, kind) {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !/^[A-Za-z0-9]+$/.test(kind)) return null;
  const parts = apiVersion.split('/');
  if (parts.length > 2 || parts.some(p => !/^[a-z0-9.]+$/.test(p))) return null;
  return path.join('kubernetes-models', ...parts, kind);
}

function fieldPath(instancePath) {
  return instancePath.split('/').slice(1).map(p => /^\d+$/.test(p) ? `[${p}]` : `.${p.replace(/~1/g, '/').replace(/~0/g, '~')}`).join('').replace(/^\./, '') || '(document)';
}

const documents = [];   // { file, index, kind, name, object, problems: [] }
const kustomizations = [];
let readFailures = 0;

for (const file of inputs.flatMap(manifestFiles)) {
  let docs;
  try {
    docs = yaml.loadAll(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    console.log(`${file}: not valid YAML: ${e.message.split('\n')[0]}`);
    readFailures++;
    continue;
  }
  docs.forEach((object, i) => {
    if (object === null || object === undefined) return;
    const doc = { file, index: i + 1, kind: object && object.kind, name: object && object.metadata && object.metadata.name, object, problems: [] };
    if (doc.object && typeof doc.object.apiVersion === 'string' && doc.object.apiVersion.startsWith('kustomize.config.k8s.io/')) kustomizations.push(doc);
    else documents.push(doc);
  });
}

// The OpenAPI shapes: one validator per kind.
for (const doc of documents) {
  const { apiVersion, kind } = doc.object || {};
  const module = modelPath(apiVersion, kind);
  let Model = null;
  if (module) {
    try { Model = require(path.join(modulesDir, module))[kind]; } catch { Model = null; }
  }
  if (!Model) {
    doc.problems.push(`apiVersion '${apiVersion}' kind '${kind}' is not a Kubernetes 1.27 API type`);
    continue;
  }
  doc.module = module;
  try {
    new Model(doc.object).validate();
  } catch (e) {
    if (Array.isArray(e.errors) && e.errors.length > 0) {
      for (const error of e.errors) {
        const extra = error.params && error.params.allowedValues ? ` (${error.params.allowedValues.join(', ')})` : '';
        const message = error.keyword === 'required' && error.params.missingProperty ? `missing required field '${error.params.missingProperty}'` : error.message;
        doc.problems.push(`${fieldPath(error.instancePath || '')}: ${message}${extra}`);
      }
    } else {
      doc.problems.push(String(e.message || e));
    }
  }
}

// Unknown fields: each document as a typed TypeScript constant; the compiler names every field its type lacks.
const typed = documents.filter(d => d.module);
if (typed.length > 0) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'validate-kubernetes-'));
  try {
    const sources = new Map();
    typed.forEach((doc, i) => {
      const file = path.join(dir, `doc${i}.ts`);
      const from = JSON.stringify(path.join(modulesDir, doc.module));
      fs.writeFileSync(file, `import type { I${doc.object.kind} } from ${from};\nexport const document: I${doc.object.kind} = ${JSON.stringify(doc.object, null, 1)};\n`);
      sources.set(file, doc);
    });
    const program = ts.createProgram([...sources.keys()], {
      noEmit: true, strict: true, skipLibCheck: true, types: [], module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10,
    });
    for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
      const doc = diagnostic.file && sources.get(path.normalize(diagnostic.file.fileName));
      // 2353: "Object literal may only specify known properties"; 2561: the same with "did you mean". Types,
      // required fields and enums are the JSON-schema validators' to judge.
      if (!doc || (diagnostic.code !== 2353 && diagnostic.code !== 2561)) continue;
      const at = pathAt(diagnostic.file, diagnostic.start);
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ').replace(/'"([^"]*)"'/g, "'$1'");
      doc.problems.push(`${at}: unknown field (${message})`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// The JSON path of the property at `position` in `export const document = {...}`.
function pathAt(sourceFile, position) {
  let node = null;
  sourceFile.forEachChild(statement => {
    if (ts.isVariableStatement(statement)) node = statement.declarationList.declarations[0].initializer;
  });
  let result = '';
  while (node) {
    if (ts.isObjectLiteralExpression(node)) {
      const property = node.properties.find(p => position >= p.getStart(sourceFile) && position < p.end);
      if (!property || !ts.isPropertyAssignment(property)) break;
      result += (result ? '.' : '') + property.name.text;
      if (position < property.initializer.getStart(sourceFile)) break;
      node = property.initializer;
    } else if (ts.isArrayLiteralExpression(node)) {
      const index = node.elements.findIndex(e => position >= e.getStart(sourceFile) && position < e.end);
      if (index < 0) break;
      result += `[${index}]`;
      node = node.elements[index];
    } else break;
  }
  return result || '(document)';
}

// kustomization.yaml: every resource exists and is checked; no manifest beside it is left out by mistake.
for (const k of kustomizations) {
  k.problems = [];
  const dir = path.dirname(k.file);
  const listed = new Set();
  for (const resource of (k.object.resources || [])) {
    const full = path.join(dir, resource);
    listed.add(path.resolve(full));
    if (!fs.existsSync(full)) k.problems.push(`resources: '${resource}' does not exist in ${dir}`);
  }
  for (const entry of fs.readdirSync(dir)) {
    const full = path.resolve(dir, entry);
    if (/\.ya?ml$/.test(entry) && full !== path.resolve(k.file) && !listed.has(full))
      k.problems.push(`resources: ${entry} is beside the kustomization but not listed (list it, or move it to a folder of its own)`);
  }
}

let invalid = readFailures;
for (const doc of [...kustomizations, ...documents].sort((a, b) => a.file.localeCompare(b.file) || a.index - b.index)) {
  const where = `${doc.file} (document ${doc.index}) ${doc.kind || '(no kind)'} ${doc.name || '(no name)'}`;
  if (doc.problems.length === 0) { console.log(`${where}: ok`); continue; }
  invalid++;
  for (const problem of doc.problems) console.log(`${where}: ${problem}`);
}
const total = documents.length + kustomizations.length;
console.log(invalid === 0 ? `validate-kubernetes: ${total} document(s) valid` : `validate-kubernetes: ${invalid} of ${total + readFailures} document(s) invalid`);
process.exit(invalid === 0 ? 0 : 1);
