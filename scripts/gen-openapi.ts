// SPDX-License-Identifier: Apache-2.0
/**
 * gen-openapi writes src/api/generated/openapi-definitions.json: the OpenAPI
 * definitions of every type reachable from the served kinds (RESOURCES) plus
 * the meta types the API paths use. It reads the `.d.ts` files of the
 * `kubernetes-types` package with the TypeScript compiler API: interfaces
 * become object schemas, JSDoc becomes descriptions, non-optional properties
 * become `required`. What TypeScript cannot say (integer widths, merge keys,
 * list types) comes from src/apiserver/openapi/field-semantics.ts.
 *
 * Run after a build: `npx tsc -p tsconfig.json && node dist/scripts/gen-openapi.js`.
 * Definition names follow upstream's Go package paths
 * (`io.k8s.api.apps.v1.Deployment`, `io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { RESOURCES } from '../src/api/resources.js';
import { ATOMIC_STRUCTS, FIELD_SEMANTICS, INT64_FIELDS, RETAIN_KEYS_FIELDS } from '../src/apiserver/openapi/field-semantics.js';
import { DEFINITION_REF_PREFIX, type Definitions, type GroupVersionKind, type Schema } from '../src/apiserver/openapi/schema.js';
import { API_SERVICE_OPENAPI } from '../src/apiserver/aggregator/apiservice-openapi.js';
import { existsSync } from 'node:fs';

/** HAND_WRITTEN are the definitions of served kinds kubernetes-types does not describe (kube-aggregator's APIService). */
const HAND_WRITTEN: Definitions = API_SERVICE_OPENAPI.definitions;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TYPES_DIR = join(ROOT, 'node_modules', 'kubernetes-types');
const OUT = join(ROOT, 'src', 'api', 'generated', 'openapi-definitions.json');

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

/** A type to emit: the module it lives in (`apps/v1`) and its interface name. */
interface TypeId {
  module: string;
  name: string;
}

/** packageOf maps a kubernetes-types module (`apps/v1`, `meta/v1`) to upstream's definition prefix. */
function packageOf(module: string): string {
  switch (module) {
    case 'meta/v1': return META;
    case 'api/resource': return 'io.k8s.apimachinery.pkg.api.resource';
    case 'runtime': return 'io.k8s.apimachinery.pkg.runtime';
    case 'version': return 'io.k8s.apimachinery.pkg.version';
    default: return `io.k8s.api.${module.replace('/', '.')}`;
  }
}

/** moduleOfGroup maps an API group to its kubernetes-types folder (`rbac.authorization.k8s.io` → `rbac`). */
function moduleOfGroup(group: string, version: string): string {
  return `${group === '' ? 'core' : group.split('.')[0]}/${version}`;
}

/** rootTypes are the served kinds, their lists, and the meta and subresource types the paths use. */
function rootTypes(): TypeId[] {
  const roots: TypeId[] = [];
  for (const r of RESOURCES) {
    const module = moduleOfGroup(r.group, r.version);
    if (!existsSync(join(TYPES_DIR, `${module}.d.ts`))) continue; // a hand-written kind
    roots.push({ module, name: r.kind }, { module, name: `${r.kind}List` });
  }
  for (const name of ['ObjectMeta', 'ListMeta', 'Status', 'DeleteOptions', 'WatchEvent', 'APIResourceList', 'APIGroupList', 'APIGroup', 'APIVersions']) {
    roots.push({ module: 'meta/v1', name });
  }
  roots.push(
    { module: 'autoscaling/v1', name: 'Scale' },
    { module: 'policy/v1', name: 'Eviction' },
    { module: 'core/v1', name: 'Binding' },
    { module: 'authentication/v1', name: 'TokenRequest' },
    { module: 'version', name: 'Info' },
  );
  return roots;
}

/** Generator walks interfaces breadth-first from the roots and fills `defs`. */
class Generator {
  readonly defs: Definitions = {};
  private readonly queue: TypeId[] = [];
  private readonly checker: ts.TypeChecker;
  private readonly program: ts.Program;

  constructor(files: string[]) {
    this.program = ts.createProgram(files, { noEmit: true, skipLibCheck: true });
    this.checker = this.program.getTypeChecker();
  }

  run(roots: TypeId[]): void {
    for (const r of roots) this.enqueue(r);
    for (let t = this.queue.shift(); t; t = this.queue.shift()) this.emit(t);
    this.addSpecialDefinitions();
    this.addInlinedRuleFields();
  }

  private enqueue(t: TypeId): string {
    const name = `${packageOf(t.module)}.${t.name}`;
    if (!(name in this.defs) && !this.queue.some((q) => q.module === t.module && q.name === t.name)) this.queue.push(t);
    return name;
  }

  private moduleOf(sf: ts.SourceFile): string {
    return relative(TYPES_DIR, sf.fileName).replace(/\.d\.ts$/, '');
  }

  private findInterface(t: TypeId): ts.InterfaceDeclaration {
    const sf = this.program.getSourceFile(join(TYPES_DIR, `${t.module}.d.ts`));
    const decl = sf?.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === t.name);
    if (!decl) throw new Error(`kubernetes-types has no interface ${t.module}.${t.name}`);
    return decl;
  }

  private doc(node: ts.NamedDeclaration): string | undefined {
    const sym = node.name ? this.checker.getSymbolAtLocation(node.name) : undefined;
    const text = sym ? ts.displayPartsToString(sym.getDocumentationComment(this.checker)).trim() : '';
    return text || undefined;
  }

  private emit(t: TypeId): void {
    const decl = this.findInterface(t);
    const name = `${packageOf(t.module)}.${t.name}`;
    const schema: Schema = { description: this.doc(decl), type: 'object' };
    const properties: Record<string, Schema> = {};
    const required: string[] = [];
    const literals: Record<string, string> = {};
    for (const m of decl.members) {
      if (!ts.isPropertySignature(m) || !m.type) continue;
      const field = m.name.getText();
      if (ts.isLiteralTypeNode(m.type) && ts.isStringLiteral(m.type.literal)) literals[field] = m.type.literal.text;
      const prop = this.propertySchema(m.type, t.name, field);
      properties[field] = { ...withDescription(prop, this.doc(m)), ...this.fieldExtensions(t.name, field) };
      if (!m.questionToken) required.push(field);
    }
    if (Object.keys(properties).length > 0) schema.properties = properties;
    if (required.length > 0) schema.required = required;
    const gvk = literalGVK(literals);
    if (gvk) schema['x-kubernetes-group-version-kind'] = [gvk];
    if (ATOMIC_STRUCTS.has(t.name)) schema['x-kubernetes-map-type'] = 'atomic';
    this.defs[name] = schema;
  }

  private fieldExtensions(typeName: string, field: string): Schema {
    const key = `${typeName}.${field}`;
    const ext: Schema = {};
    const s = FIELD_SEMANTICS[key];
    if (s?.mergeKey) ext['x-kubernetes-patch-merge-key'] = s.mergeKey;
    if (s?.strategy) ext['x-kubernetes-patch-strategy'] = s.strategy;
    if (s?.listType) ext['x-kubernetes-list-type'] = s.listType;
    if (s?.mapKeys) ext['x-kubernetes-list-map-keys'] = s.mapKeys;
    if (RETAIN_KEYS_FIELDS.has(key)) ext['x-kubernetes-patch-strategy'] = 'retainKeys';
    return ext;
  }

  /** propertySchema turns one property's TypeScript type into a schema. */
  private propertySchema(node: ts.TypeNode, typeName: string, field: string): Schema {
    if (node.kind === ts.SyntaxKind.StringKeyword) return { type: 'string' };
    if (node.kind === ts.SyntaxKind.BooleanKeyword) return { type: 'boolean' };
    if (node.kind === ts.SyntaxKind.NumberKeyword) {
      return { type: 'integer', format: INT64_FIELDS.has(field) ? 'int64' : 'int32' };
    }
    if (ts.isLiteralTypeNode(node)) return { type: 'string' };
    if (ts.isUnionTypeNode(node)) return this.unionSchema(node, typeName, field);
    if (ts.isArrayTypeNode(node)) return { type: 'array', items: this.propertySchema(node.elementType, typeName, field) };
    if (ts.isTypeLiteralNode(node)) return this.mapSchema(node, typeName, field);
    if (ts.isTypeReferenceNode(node)) return this.referenceSchema(node, typeName, field);
    throw new Error(`${typeName}.${field}: unsupported type ${ts.SyntaxKind[node.kind]}`);
  }

  private unionSchema(node: ts.UnionTypeNode, typeName: string, field: string): Schema {
    const kinds = new Set(node.types.map((t) => t.kind));
    if (kinds.has(ts.SyntaxKind.NumberKeyword) && kinds.has(ts.SyntaxKind.StringKeyword)) {
      return { $ref: DEFINITION_REF_PREFIX + INT_OR_STRING };
    }
    if (node.types.every((t) => ts.isLiteralTypeNode(t))) return { type: 'string' };
    throw new Error(`${typeName}.${field}: unsupported union type`);
  }

  private mapSchema(node: ts.TypeLiteralNode, typeName: string, field: string): Schema {
    const index = node.members.find(ts.isIndexSignatureDeclaration);
    if (!index) throw new Error(`${typeName}.${field}: object literal type without index signature`);
    return { type: 'object', additionalProperties: this.propertySchema(index.type, typeName, field) };
  }

  private referenceSchema(node: ts.TypeReferenceNode, typeName: string, field: string): Schema {
    const ref = node.typeName.getText();
    if (ref === 'Array' && node.typeArguments?.length === 1) {
      return { type: 'array', items: this.propertySchema(node.typeArguments[0], typeName, field) };
    }
    let sym = this.checker.getSymbolAtLocation(node.typeName);
    if (sym && sym.flags & ts.SymbolFlags.Alias) sym = this.checker.getAliasedSymbol(sym);
    const decl = sym?.declarations?.[0];
    if (!decl) throw new Error(`${typeName}.${field}: cannot resolve ${ref}`);
    const module = this.moduleOf(decl.getSourceFile());
    if (ts.isTypeAliasDeclaration(decl)) {
      // Quantity, Time and MicroTime are string aliases with their own upstream definitions.
      return { $ref: DEFINITION_REF_PREFIX + `${packageOf(module)}.${ref}` };
    }
    return { $ref: DEFINITION_REF_PREFIX + this.enqueue({ module, name: ref }) };
  }

  /**
   * addInlinedRuleFields puts back the fields Go inlines from
   * admissionregistration's Rule (resources, scope) into the rule types:
   * kubernetes-types leaves them out, upstream's schema has them.
   */
  private addInlinedRuleFields(): void {
    for (const name of ['RuleWithOperations', 'NamedRuleWithOperations']) {
      const def = this.defs[`io.k8s.api.admissionregistration.v1.${name}`];
      if (!def) continue;
      def.properties = {
        ...def.properties,
        resources: {
          description: "Resources is a list of resources this rule applies to: 'pods' is pods, 'pods/log' the log subresource of pods, '*' every resource, 'pods/*' every subresource of pods, '*/scale' the scale subresource of every resource, '*/*' every resource and subresource.",
          type: 'array',
          items: { type: 'string' },
          'x-kubernetes-list-type': 'atomic',
        },
        scope: {
          description: 'scope says which scope this rule applies to: "Cluster", "Namespaced" or "*" (the default, any scope).',
          type: 'string',
        },
      };
    }
  }

  /** addSpecialDefinitions writes the scalar types whose upstream schema is not an object. */
  private addSpecialDefinitions(): void {
    const aliasDoc = (module: string, name: string): string | undefined => {
      const sf = this.program.getSourceFile(join(TYPES_DIR, `${module}.d.ts`));
      const decl = sf?.statements.find((s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === name);
      return decl ? this.doc(decl) : undefined;
    };
    this.defs[QUANTITY] = { description: aliasDoc('api/resource', 'Quantity'), type: 'string' };
    this.defs[`${META}.Time`] = { description: aliasDoc('meta/v1', 'Time'), type: 'string', format: 'date-time' };
    this.defs[`${META}.MicroTime`] = { description: aliasDoc('meta/v1', 'MicroTime'), type: 'string', format: 'date-time' };
    this.defs[INT_OR_STRING] = {
      description: 'IntOrString holds either an int32 or a string. In JSON or YAML it is written as a bare number or a string, and consumers tell the two apart by the JSON type.',
      type: 'string',
      format: 'int-or-string',
    };
    this.defs[`${META}.Patch`] = {
      description: 'Patch is the body of a PATCH request: a JSON patch, a JSON merge patch, a strategic merge patch or an apply configuration, as told by the Content-Type.',
      type: 'object',
    };
  }
}

/** withDescription sets a property's description; `$ref` siblings are allowed, as upstream writes them. */
function withDescription(s: Schema, description: string | undefined): Schema {
  return description ? { description, ...s } : s;
}

/** literalGVK reads a kind's group/version/kind from its `apiVersion` and `kind` literal types. */
function literalGVK(literals: Record<string, string>): GroupVersionKind | undefined {
  const apiVersion = literals.apiVersion;
  const kind = literals.kind;
  if (!apiVersion || !kind) return undefined;
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion, kind }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1), kind };
}

/**
 * addSharedGVKs gives the option and event types that every group version
 * accepts one GVK per served group version, as upstream does, so clients can
 * find them from any group.
 */
function addSharedGVKs(defs: Definitions): void {
  const gvs: GroupVersionKind[] = [];
  for (const r of RESOURCES) {
    if (!gvs.some((g) => g.group === r.group && g.version === r.version)) gvs.push({ group: r.group, version: r.version, kind: '' });
  }
  for (const kind of ['DeleteOptions', 'WatchEvent']) {
    const def = defs[`${META}.${kind}`];
    if (def) def['x-kubernetes-group-version-kind'] = gvs.map((g) => ({ ...g, kind }));
  }
  const status = defs[`${META}.Status`];
  if (status) status['x-kubernetes-group-version-kind'] = [{ group: '', version: 'v1', kind: 'Status' }];
}

/** sortKeys returns the definitions with names in sorted order, so the output diffs well. */
function sortKeys(defs: Definitions): Definitions {
  const out: Definitions = {};
  for (const k of Object.keys(defs).sort()) out[k] = defs[k];
  return out;
}

function main(): void {
  const modules = new Set(['meta/v1', 'api/resource', 'runtime', 'version', 'core/v1', 'autoscaling/v1', 'policy/v1', 'authentication/v1']);
  for (const r of RESOURCES) modules.add(moduleOfGroup(r.group, r.version));
  const gen = new Generator([...modules].map((m) => join(TYPES_DIR, `${m}.d.ts`)).filter((f) => existsSync(f)));
  gen.run(rootTypes());
  Object.assign(gen.defs, HAND_WRITTEN);
  addSharedGVKs(gen.defs);
  const json = JSON.stringify(sortKeys(gen.defs), null, 1) + '\n';
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, json);
  console.log(`wrote ${relative(ROOT, OUT)}: ${Object.keys(gen.defs).length} definitions, ${json.length} bytes`);
}

main();
