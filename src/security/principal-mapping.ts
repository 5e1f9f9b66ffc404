// ssl.principal.mapping.rules (KIP-371), Kafka's SslPrincipalMapper: a list of rules separated by
// commas or newlines, each `DEFAULT` (the distinguished name as it is) or
// `RULE:pattern/replacement/[LU]`, where pattern must match the whole DN, `$1`... in replacement
// name its groups, `\/` is a slash inside pattern or replacement, and L or U lower- or
// upper-cases the result. The first rule that matches wins; a DN no rule matches is refused
// (Kafka: NoMatchingRule). Who calls: the TLS listener when a client presents a certificate.

export class PrincipalMappingError extends Error {
  override readonly name = 'PrincipalMappingError';
}

type Rule =
  | { readonly kind: 'default' }
  | {
      readonly kind: 'rule';
      readonly pattern: RegExp;
      readonly replacement: string;
      readonly caseChange: '' | 'L' | 'U';
      readonly text: string;
    };

// Kafka's RULE_PARSER: DEFAULT, or RULE: pattern / replacement / optional L|U, separators , or newline.
const ruleSyntax = /\s*(?:(DEFAULT)|RULE:((?:\\.|[^\\/])*)\/((?:\\.|[^\\/])*)\/([LU]?)[^,\n]*?)\s*(?:[,\n]\s*|$)/y;

export function parsePrincipalMappingRules(text: string): readonly Rule[] {
  const rules: Rule[] = [];
  const source = text.trim();
  ruleSyntax.lastIndex = 0;
  while (ruleSyntax.lastIndex < source.length) {
    const start = ruleSyntax.lastIndex;
    const m = ruleSyntax.exec(source);
    if (!m || m.index !== start || ruleSyntax.lastIndex === start)
      throw new PrincipalMappingError(`invalid ssl.principal.mapping.rules at "${source.slice(start)}"`);
    if (m[1]) {
      rules.push({ kind: 'default' });
      continue;
    }
    let pattern: RegExp;
    try {
      pattern = new RegExp(m[2]!, 'g');
    } catch (err) {
      throw new PrincipalMappingError(`invalid pattern in ssl.principal.mapping.rules: ${(err as Error).message}`);
    }
    rules.push({
      kind: 'rule',
      pattern,
      replacement: m[3]!.replace(/\\\//g, '/'),
      caseChange: (m[4] ?? '') as '' | 'L' | 'U',
      text: m[0].trim(),
    });
  }
  if (rules.length === 0) rules.push({ kind: 'default' });
  return rules;
}

/** The principal name for `dn` under `rules`; throws PrincipalMappingError when no rule matches. */
export function mapPrincipal(rules: readonly Rule[], dn: string): string {
  for (const rule of rules) {
    if (rule.kind === 'default') return dn;
    const whole = new RegExp(`^(?:${rule.pattern.source})$`);
    if (!whole.test(dn)) continue;
    rule.pattern.lastIndex = 0;
    const mapped = dn.replace(rule.pattern, rule.replacement);
    return rule.caseChange === 'L' ? mapped.toLowerCase() : rule.caseChange === 'U' ? mapped.toUpperCase() : mapped;
  }
  throw new PrincipalMappingError(`no ssl.principal.mapping.rules rule matches the certificate subject "${dn}"`);
}
