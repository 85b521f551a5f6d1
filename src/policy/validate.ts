import { isPolicyDate, ordered } from './dates.ts';
import { vocabularyProblem, type Vocabulary } from './vocabulary.ts';

/**
 * Checks a pack for what JSON Schema cannot say: every vendor name is canonical, rule ids are
 * unique, a maker is claimed by one rule only, and every since comes before its until. It reads
 * the raw document defensively, so it runs even when the schema found problems too, and the
 * author sees every problem at once. Each problem is prefixed with the path of the bad value.
 */
export function packProblems(raw: unknown, vocabulary: Vocabulary): string[] {
  const problems: string[] = [];
  const ruleIds = new Map<string, number>();
  // A manufacturer of record must lead to one rule per pack, or verdicts would depend on order.
  const makers = new Map<string, string>();

  list(raw, 'rules').forEach((rule, r) => {
    const at = `rules.${r}`;
    const ruleId = str(rule, 'id') ?? `#${r}`;
    const id = str(rule, 'id');
    if (id !== undefined) {
      const firstIndex = ruleIds.get(id);
      if (firstIndex === undefined) ruleIds.set(id, r);
      else problems.push(`${at}.id: duplicate rule id "${id}" (also rules.${firstIndex})`);
    }

    const claim = (name: string, path: string) => {
      const key = name.toLowerCase();
      const owner = makers.get(key);
      if (owner === ruleId) problems.push(`${path}: "${name}" is listed twice in rule "${ruleId}"`);
      else if (owner !== undefined) problems.push(`${path}: "${name}" is already covered by rule "${owner}" of this pack`);
      else makers.set(key, ruleId);
    };
    const entity = str(rule, 'entity');
    if (entity !== undefined) {
      const problem = vocabularyProblem(vocabulary, entity);
      if (problem) problems.push(`${at}.entity: ${problem}`);
      claim(entity, `${at}.entity`);
    }

    const seenBrands = new Set<string>();
    for (const relation of ['subsidiaries', 'affiliates', 'brands'] as const) {
      list(rule, relation).forEach((rel, i) => {
        const path = `${at}.${relation}.${i}`;
        problems.push(...windowProblems(rel, path));
        if (str(rel, 'until') !== undefined && field(rel, 'untilSource') === undefined) {
          problems.push(
            `${path}.until: a tie ends only on a recorded completion: add untilSource (document, date, url of the completed sale), or drop until (an announced sale keeps it covered)`,
          );
        }
        const name = str(rel, 'name');
        if (name === undefined) return;
        const problem = vocabularyProblem(vocabulary, name);
        if (problem) problems.push(`${path}.name: ${problem}`);
        if (relation !== 'brands') {
          claim(name, `${path}.name`);
          return;
        }
        const key = name.toLowerCase();
        if (seenBrands.has(key)) problems.push(`${path}.name: brand "${name}" is listed twice`);
        else if (makers.get(key) === ruleId) problems.push(`${path}.name: "${name}" is already the entity, a subsidiary or an affiliate of this rule`);
        seenBrands.add(key);
      });
    }

    const appliesTo = field(rule, 'appliesTo');
    const kinds = list(appliesTo, 'kinds');
    if (new Set(kinds).size !== kinds.length) problems.push(`${at}.appliesTo.kinds: a kind is listed twice`);
    problems.push(...windowProblems(appliesTo, `${at}.appliesTo`));
  });
  return problems;
}

function windowProblems(entry: unknown, path: string): string[] {
  const since = str(entry, 'since');
  const until = str(entry, 'until');
  if (since === undefined || until === undefined || !isPolicyDate(since) || !isPolicyDate(until)) return [];
  return ordered(since, until) ? [] : [`${path}: since ${since} is after until ${until}`];
}

function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
}

function str(value: unknown, key: string): string | undefined {
  const v = field(value, key);
  return typeof v === 'string' ? v : undefined;
}

function list(value: unknown, key: string): unknown[] {
  const v = field(value, key);
  return Array.isArray(v) ? v : [];
}
