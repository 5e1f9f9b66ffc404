// ssl.principal.mapping.rules as Kafka's SslPrincipalMapper reads them (examples from Kafka's
// documentation and SslPrincipalMapperTest), and the RFC 2253 subject of a real certificate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificates } from '../../src/security/certs.js';
import {
  mapPrincipal,
  parsePrincipalMappingRules,
  PrincipalMappingError,
} from '../../src/security/principal-mapping.js';
import { subjectDistinguishedName } from '../../src/security/principal.js';

const map = (rules: string, dn: string): string => mapPrincipal(parsePrincipalMappingRules(rules), dn);

test('DEFAULT keeps the distinguished name', () => {
  assert.equal(
    map('DEFAULT', 'CN=Duke,OU=JavaSoft,O=Sun Microsystems,C=US'),
    'CN=Duke,OU=JavaSoft,O=Sun Microsystems,C=US',
  );
});

test("Kafka's documented rules: groups, lower and upper case, first match wins, DEFAULT as fallback", () => {
  const rules =
    'RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/,RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/L,RULE:^.*[Cc][Nn]=([a-zA-Z0-9.]*).*$/$1/L,DEFAULT';
  assert.equal(map(rules, 'CN=serviceuser,OU=ServiceUsers,O=Unknown,L=Unknown,ST=Unknown,C=Unknown'), 'serviceuser');
  assert.equal(map(rules, 'CN=adminUser,OU=Admin,O=Unknown,L=Unknown,ST=Unknown,C=Unknown'), 'adminuser@admin');
  assert.equal(map(rules, 'CN=User1,O=Foo'), 'user1');
  assert.equal(map(rules, 'OU=only'), 'OU=only');
  assert.equal(map('RULE:^CN=(.*?),OU=(.*?)$/$1/U', 'CN=duke,OU=x'), 'DUKE');
});

test('rules may be separated by newlines, and \\/ is a slash in pattern and replacement', () => {
  assert.equal(map('RULE:^CN=(.*)$/$1\\/svc/\nDEFAULT', 'CN=a'), 'a/svc');
  assert.equal(map('RULE:^CN=a\\/b$/ab/', 'CN=a/b'), 'ab');
});

test('a DN no rule matches is refused; bad syntax is refused at parse time', () => {
  assert.throws(() => map('RULE:^CN=(.*)$/$1/', 'OU=x'), PrincipalMappingError);
  assert.throws(() => parsePrincipalMappingRules('RULE:^CN=(.*)$/$1'), PrincipalMappingError);
  assert.throws(() => parsePrincipalMappingRules('NOTARULE'), PrincipalMappingError);
  assert.throws(() => parsePrincipalMappingRules('RULE:^CN=(.*$/$1/'), PrincipalMappingError);
});

test('the subject of a certificate in RFC 2253 order, most specific first', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'raftka-dn-'));
  try {
    await createCertificates({ dir, names: ['svc'], organization: 'Acme, Inc' });
    const cert = new X509Certificate(readFileSync(join(dir, 'svc.crt')));
    assert.equal(subjectDistinguishedName(cert), 'CN=svc,O=Acme\\, Inc');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
