// /config/brokers/<id|<default>>, /config/users/<u> (SCRAM credentials and user quotas share the
// znode), /config/users/<u>/clients/<c>, /config/clients/<c> and /config/ips/<ip> → broker
// configs, SCRAM credentials and client quotas. Entity names are desanitized (URL-decoded);
// "<default>" is the default entity (null in quota entities). Reports malformed_json,
// invalid_znode, invalid_scram_credential, invalid_quota (errors: the entity is skipped) and
// unknown_config_key (warning).
import type { Severity } from '../problems.js';
import { defaultEntity, quotaKeys, scramMechanisms } from './enums.js';
import { isKnownBrokerConfig } from '../../../src/protocol/kafka-config-names.js';
import type { ClientQuotaModel, QuotaEntityModel, ScramCredentialModel } from './model.js';
import { configMapOf, desanitize, type ParseContext } from './parse-context.js';

async function configOf(
  ctx: ParseContext,
  path: string,
  entity: string,
  severity: Severity = 'error',
): Promise<Map<string, string> | null> {
  const obj = await ctx.object(path, entity, severity);
  if (obj === undefined) return new Map();
  if (obj === null) return null;
  return configMapOf(ctx, path, entity, obj, severity);
}

export async function parseBrokerConfigs(ctx: ParseContext): Promise<Map<string, ReadonlyMap<string, string>>> {
  const out = new Map<string, ReadonlyMap<string, string>>();
  for (const b of await ctx.zk.children('/config/brokers')) {
    const path = `/config/brokers/${b}`;
    const entity = b === defaultEntity ? 'default broker config' : `broker config of broker ${b}`;
    if (b !== defaultEntity && !/^\d+$/.test(b)) {
      ctx.report(
        'error',
        'invalid_znode',
        path,
        `${entity}: a broker config entity is a broker id or ${defaultEntity}`,
      );
      continue;
    }
    const cfg = await configOf(ctx, path, entity);
    if (cfg === null) continue;
    for (const k of cfg.keys())
      if (!isKnownBrokerConfig(k))
        ctx.report('warning', 'unknown_config_key', path, `${entity}: unknown broker config key ${k} (migrated as is)`);
    if (cfg.size > 0) out.set(b, cfg);
  }
  return out;
}

/** "salt=<b64>,stored_key=<b64>,server_key=<b64>,iterations=<n>" (ScramCredentialUtils). */
function parseScram(text: string): Omit<ScramCredentialModel, 'user' | 'mechanism'> | null {
  const kv = new Map<string, string>();
  for (const part of text.split(',')) {
    const i = part.indexOf('=');
    if (i <= 0) return null;
    kv.set(part.slice(0, i), part.slice(i + 1));
  }
  const b64 = /^[A-Za-z0-9+/]+={0,2}$/;
  const salt = kv.get('salt');
  const storedKey = kv.get('stored_key');
  const serverKey = kv.get('server_key');
  const iterations = Number(kv.get('iterations'));
  if (!salt || !storedKey || !serverKey || !b64.test(salt) || !b64.test(storedKey) || !b64.test(serverKey)) return null;
  if (!Number.isInteger(iterations) || iterations < 1) return null;
  const bytes = (b64text: string): Uint8Array => Uint8Array.from(Buffer.from(b64text, 'base64'));
  return { salt: bytes(salt), storedKey: bytes(storedKey), serverKey: bytes(serverKey), iterations };
}

function quotasOf(
  ctx: ParseContext,
  path: string,
  entityText: string,
  cfg: ReadonlyMap<string, string>,
  allowScram: boolean,
): Map<string, number> | null {
  const quotas = new Map<string, number>();
  for (const [k, v] of cfg) {
    if (allowScram && scramMechanisms[k] !== undefined) continue;
    if (!quotaKeys.has(k)) {
      ctx.report('warning', 'unknown_config_key', path, `${entityText}: unknown quota key ${k} (not migrated)`);
      continue;
    }
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < 0) {
      ctx.report(
        'error',
        'invalid_quota',
        path,
        `${entityText}: quota ${k}=${JSON.stringify(v)} is not a non-negative number`,
      );
      return null;
    }
    quotas.set(k, n);
  }
  return quotas;
}

interface UserConfigs {
  readonly scram: ScramCredentialModel[];
  readonly quotas: ClientQuotaModel[];
}

const entityName = (raw: string): string | null => (raw === defaultEntity ? null : desanitize(raw));

async function addQuota(
  ctx: ParseContext,
  out: ClientQuotaModel[],
  path: string,
  entity: QuotaEntityModel,
  allowScram = false,
): Promise<Map<string, string> | null> {
  const text = entity.map(([t, n]) => `${t}=${n ?? defaultEntity}`).join(', ');
  const cfg = await configOf(ctx, path, `config of ${text}`);
  if (cfg === null) return null;
  const quotas = quotasOf(ctx, path, `quotas of ${text}`, cfg, allowScram);
  if (quotas && quotas.size > 0) out.push({ entity, quotas });
  return cfg;
}

export async function parseUserAndClientConfigs(ctx: ParseContext): Promise<UserConfigs> {
  const scram: ScramCredentialModel[] = [];
  const quotas: ClientQuotaModel[] = [];
  const users = await ctx.zk.children('/config/users');
  for (const u of users) {
    const path = `/config/users/${u}`;
    const cfg = await addQuota(ctx, quotas, path, [['user', entityName(u)]], true);
    for (const [mechanism] of Object.entries(scramMechanisms)) {
      const text = cfg?.get(mechanism);
      if (text === undefined) continue;
      const user = desanitize(u);
      const parsed = u === defaultEntity ? null : parseScram(text);
      if (!parsed)
        ctx.report(
          'error',
          'invalid_scram_credential',
          path,
          `${mechanism} credential of user ${user} is not salt=..,stored_key=..,server_key=..,iterations=N; not migrated`,
        );
      else scram.push({ user, mechanism, ...parsed });
    }
  }
  for (const u of users) {
    for (const c of await ctx.zk.children(`/config/users/${u}/clients`)) {
      await addQuota(ctx, quotas, `/config/users/${u}/clients/${c}`, [
        ['user', entityName(u)],
        ['client-id', entityName(c)],
      ]);
    }
  }
  for (const c of await ctx.zk.children('/config/clients'))
    await addQuota(ctx, quotas, `/config/clients/${c}`, [['client-id', entityName(c)]]);
  for (const ip of await ctx.zk.children('/config/ips'))
    await addQuota(ctx, quotas, `/config/ips/${ip}`, [['ip', ip === defaultEntity ? null : ip]]);
  return { scram, quotas };
}
