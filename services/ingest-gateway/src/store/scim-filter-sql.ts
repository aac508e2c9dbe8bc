/**
 * Compiles a resolved SCIM filter (@usersync/scim parseFilter) to a SQL condition over a scim table:
 * indexed columns for the attributes clients filter on most (userName, externalId, id, active,
 * displayName, emails.value, meta dates), jsonb paths into `resource` for every other attribute. Values
 * are always parameters; LIKE patterns are escaped. Semantics match @usersync/scim matchesFilter (the
 * equivalence is tested): case-insensitive unless caseExact, any value of a multi-valued attribute.
 */
import type { Attribute, FilterValue, LeafFilter, ResolvedPath, ScimFilter } from '@usersync/scim';

/** A column that stands for an attribute path (canonical, dotted: `meta.lastModified`). */
export interface ColumnMap {
  [path: string]: { sql: string; kind: 'text' | 'boolean' | 'timestamp' | 'text[]' };
}

export interface CompiledFilter {
  sql: string;
  params: unknown[];
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

class Compiler {
  readonly params: unknown[];
  constructor(
    private readonly columns: ColumnMap,
    private readonly special: (path: ResolvedPath, f: ScimFilter, c: Compiler) => string | undefined,
    firstParam: number,
  ) {
    this.params = new Array(firstParam - 1).fill(undefined);
  }

  param(v: unknown): string {
    this.params.push(v);
    return `$${this.params.length}`;
  }

  compile(f: ScimFilter, item?: string): string {
    switch (f.op) {
      case 'and':
      case 'or':
        return `(${f.filters.map((c) => this.compile(c, item)).join(f.op === 'and' ? ' AND ' : ' OR ')})`;
      case 'not':
        return `NOT coalesce(${this.compile(f.filter, item)}, false)`;
      case 'valuePath': {
        const special = this.special(f.path, f, this);
        if (special) return special;
        return `EXISTS (SELECT 1 FROM jsonb_array_elements(${arrayOf(jsonOf(f.path, false))}) AS x WHERE ${this.compile(f.filter, 'x')})`;
      }
      default:
        return this.leaf(f, item);
    }
  }

  private leaf(f: LeafFilter, item: string | undefined): string {
    const path = f.path;
    const leaf = path.sub ?? path.attribute;
    if (item) return this.condition(`${item} -> '${leaf.name}'`, leaf, f);
    const special = this.special(path, f, this);
    if (special) return special;
    const column = this.columns[path.segments.join('.')];
    if (column) return this.columnCondition(column, leaf, f);
    if (!path.attribute.multiValued) return this.condition(jsonOf(path, true), leaf, f);
    // Any value of a multi-valued attribute: EXISTS for a match; `ne` is "no value is equal".
    const each = path.sub ? `x -> '${path.sub.name}'` : 'x';
    const source = arrayOf(jsonOf(path, false));
    if (f.op === 'ne') {
      return `NOT EXISTS (SELECT 1 FROM jsonb_array_elements(${source}) AS x WHERE ${this.condition(each, leaf, { ...f, op: 'eq' })})`;
    }
    return `EXISTS (SELECT 1 FROM jsonb_array_elements(${source}) AS x WHERE ${this.condition(each, leaf, f)})`;
  }

  /** A condition on a jsonb value `v` of attribute `leaf`. */
  private condition(v: string, leaf: Attribute, f: LeafFilter): string {
    const present = `(${v} IS NOT NULL AND ${v} NOT IN ('null'::jsonb, '""'::jsonb, '[]'::jsonb, '{}'::jsonb))`;
    if (f.op === 'pr') return present;
    if (f.value === null) return f.op === 'eq' ? `NOT ${present}` : present;
    if (leaf.type === 'boolean') {
      const eq = `${v} = to_jsonb(${this.param(f.value)}::boolean)`;
      return f.op === 'eq' ? `coalesce(${eq}, false)` : `NOT coalesce(${eq}, false)`;
    }
    const text = `(${v} #>> '{}')`;
    if (leaf.type === 'integer' || leaf.type === 'decimal')
      return this.compare(`(${text})::numeric`, f.op, `${this.param(f.value)}::numeric`);
    if (leaf.type === 'dateTime')
      return this.compare(`(${text})::timestamptz`, f.op, `${this.param(f.value)}::timestamptz`);
    return this.textCompare(text, leaf.caseExact, f.op, f.value);
  }

  private columnCondition(column: ColumnMap[string], leaf: Attribute, f: LeafFilter): string {
    const c = column.sql;
    const present =
      column.kind === 'text[]'
        ? `cardinality(${c}) > 0`
        : column.kind === 'text'
          ? `coalesce(${c}, '') <> ''`
          : `${c} IS NOT NULL`;
    if (f.op === 'pr') return present;
    if (f.value === null) return f.op === 'eq' ? `NOT (${present})` : present;
    switch (column.kind) {
      case 'boolean':
        return f.op === 'eq'
          ? `${c} = ${this.param(f.value)}::boolean`
          : `${c} IS DISTINCT FROM ${this.param(f.value)}::boolean`;
      case 'timestamp':
        return this.compare(c, f.op, `${this.param(f.value)}::timestamptz`);
      case 'text[]': {
        // Stored lower-cased (emails.value is not caseExact).
        const value = String(f.value).toLowerCase();
        if (f.op === 'eq') return `${c} @> ARRAY[${this.param(value)}]::text[]`;
        if (f.op === 'ne') return `NOT (${c} @> ARRAY[${this.param(value)}]::text[])`;
        return `EXISTS (SELECT 1 FROM unnest(${c}) AS e WHERE ${this.textCompare('e', true, f.op, value)})`;
      }
      default:
        return this.textCompare(c, leaf.caseExact, f.op, f.value);
    }
  }

  private textCompare(expr: string, caseExact: boolean, op: string, value: FilterValue): string {
    const fold = (s: string) => (caseExact ? s : `lower(${s})`);
    const v = String(value);
    switch (op) {
      case 'co':
        return `${fold(expr)} LIKE ${fold(this.param(`%${likeEscape(v)}%`))}`;
      case 'sw':
        return `${fold(expr)} LIKE ${fold(this.param(`${likeEscape(v)}%`))}`;
      case 'ew':
        return `${fold(expr)} LIKE ${fold(this.param(`%${likeEscape(v)}`))}`;
      case 'ne':
        return `${fold(expr)} IS DISTINCT FROM ${fold(this.param(v))}`;
      default:
        return this.compare(fold(expr), op, fold(`${this.param(v)}::text`));
    }
  }

  private compare(left: string, op: string, right: string): string {
    const sqlOp = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' }[op];
    if (!sqlOp) throw new Error(`no SQL for ${op}`); // parseFilter allows no other operator here
    return `coalesce(${left} ${sqlOp} ${right}, false)`;
  }
}

/** The jsonb of an attribute (its sub-attribute too when `withSub`) in `resource`. */
function jsonOf(path: ResolvedPath, withSub: boolean): string {
  const keys = [
    ...(path.extension ? [path.extension] : []),
    path.attribute.name,
    ...(withSub && path.sub ? [path.sub.name] : []),
  ];
  return `(resource #> '{${keys.map((k) => `"${k}"`).join(',')}}')`;
}

const arrayOf = (json: string) => `CASE WHEN jsonb_typeof(${json}) = 'array' THEN ${json} ELSE '[]'::jsonb END`;

/**
 * Compiles `filter`; `firstParam` is the number of the first placeholder, `special` handles paths that
 * live outside `resource` (a group's members).
 */
export function compileScimFilter(
  filter: ScimFilter,
  columns: ColumnMap,
  firstParam = 1,
  special: (path: ResolvedPath, f: ScimFilter, c: { param(v: unknown): string }) => string | undefined = () =>
    undefined,
): CompiledFilter {
  const compiler = new Compiler(columns, special, firstParam);
  const sql = compiler.compile(filter);
  return { sql, params: compiler.params.slice(firstParam - 1) };
}
