// The ACL authorizer with Kafka's StandardAuthorizer semantics, over the ACLs of the metadata
// image. Pure: no I/O, no clock; the broker asks it per request (src/broker/ wires it).
//
// Rules (as Kafka's StandardAuthorizerData decides them):
// - A super user (`super.users`) is allowed everything, whatever the DENY ACLs say.
// - An ACL applies to a resource when its type is the resource's and its pattern matches the
//   name: LITERAL equal, LITERAL `*` (any name), or PREFIXED a prefix of the name.
// - An applying ACL matches the request when its principal is the requester's or `User:*`, its
//   host is the client's address or `*`, and its operation is the one asked, or ALL, or, for an
//   ALLOW ACL only, one that implies it (READ, WRITE, DELETE and ALTER imply DESCRIBE;
//   ALTER_CONFIGS implies DESCRIBE_CONFIGS).
// - A matching DENY beats any ALLOW. With no matching ACL, the answer is DENY if some ACL applies
//   to the resource at all, else `allow.everyone.if.no.acl.found`.
// The index is rebuilt only when the image's ACL map changes (images are immutable, so a new map
// means new ACLs): every check after a commit sees the committed ACLs.
import type { AclEntry } from '../metadata/image.js';
import { AclOperation, AclPatternType, AclPermission } from '../protocol/acl-types.js';

export const wildcardResourceName = '*';
export const wildcardPrincipal = 'User:*';

export interface AuthorizerConfig {
  /** `super.users`, as principals (`User:admin`). */
  readonly superUsers: ReadonlySet<string>;
  /** `allow.everyone.if.no.acl.found` (Kafka's default: false). */
  readonly allowEveryoneIfNoAclFound: boolean;
}

/** Who asks: the authenticated principal (`User:alice`) and the client's address. */
export interface Requester {
  readonly principal: string;
  readonly host: string;
}

interface ResourceTypeIndex {
  /** LITERAL ACLs by resource name (`*` included). */
  readonly literal: Map<string, AclEntry[]>;
  /** PREFIXED ACLs by prefix. */
  readonly prefixed: Map<string, AclEntry[]>;
  /** Lengths of the prefixes present, so a lookup tries only those. */
  readonly prefixLengths: Set<number>;
}

const impliesDescribe: ReadonlySet<number> = new Set([
  AclOperation.DESCRIBE,
  AclOperation.READ,
  AclOperation.WRITE,
  AclOperation.DELETE,
  AclOperation.ALTER,
]);
const impliesDescribeConfigs: ReadonlySet<number> = new Set([
  AclOperation.DESCRIBE_CONFIGS,
  AclOperation.ALTER_CONFIGS,
]);

/** What one ACL says about a request whose resource it applies to: 'allow', 'deny' or null (silent). */
export function aclVerdict(acl: AclEntry, who: Requester, operation: number): 'allow' | 'deny' | null {
  if (acl.principal !== who.principal && acl.principal !== wildcardPrincipal) return null;
  if (acl.host !== '*' && acl.host !== who.host) return null;
  const allow = acl.permissionType === AclPermission.ALLOW;
  if (acl.operation !== AclOperation.ALL) {
    if (!allow) {
      if (acl.operation !== operation) return null;
    } else if (operation === AclOperation.DESCRIBE) {
      if (!impliesDescribe.has(acl.operation)) return null;
    } else if (operation === AclOperation.DESCRIBE_CONFIGS) {
      if (!impliesDescribeConfigs.has(acl.operation)) return null;
    } else if (acl.operation !== operation) {
      return null;
    }
  }
  return allow ? 'allow' : 'deny';
}

function add(map: Map<string, AclEntry[]>, key: string, acl: AclEntry): void {
  const list = map.get(key);
  if (list) list.push(acl);
  else map.set(key, [acl]);
}

function buildIndex(acls: ReadonlyMap<string, AclEntry>): Map<number, ResourceTypeIndex> {
  const index = new Map<number, ResourceTypeIndex>();
  for (const acl of acls.values()) {
    let t = index.get(acl.resourceType);
    if (!t) index.set(acl.resourceType, (t = { literal: new Map(), prefixed: new Map(), prefixLengths: new Set() }));
    if (acl.patternType === AclPatternType.PREFIXED) {
      add(t.prefixed, acl.resourceName, acl);
      t.prefixLengths.add(acl.resourceName.length);
    } else {
      add(t.literal, acl.resourceName, acl);
    }
  }
  return index;
}

export class AclAuthorizer {
  private indexedAcls: ReadonlyMap<string, AclEntry> | null = null;
  private index = new Map<number, ResourceTypeIndex>();

  constructor(
    private readonly config: AuthorizerConfig,
    /** The current image's ACLs (called on every check; cheap when unchanged). */
    private readonly currentAcls: () => ReadonlyMap<string, AclEntry>,
  ) {}

  isSuperUser(principal: string): boolean {
    return this.config.superUsers.has(principal);
  }

  /** Whether `who` may perform `operation` on the resource (type, name). */
  authorize(who: Requester, operation: number, resourceType: number, resourceName: string): boolean {
    if (this.isSuperUser(who.principal)) return true;
    const t = this.indexFor(resourceType);
    if (!t) return this.config.allowEveryoneIfNoAclFound;
    let applies = false;
    let allowed = false;
    for (const acl of this.applying(t, resourceName)) {
      applies = true;
      const v = aclVerdict(acl, who, operation);
      if (v === 'deny') return false;
      if (v === 'allow') allowed = true;
    }
    if (allowed) return true;
    return applies ? false : this.config.allowEveryoneIfNoAclFound;
  }

  /**
   * Whether `who` may perform `operation` on SOME resource of the type (Kafka's
   * authorizeByResourceType, KIP-679: an idempotent producer needs WRITE on any topic): allowed
   * when an ALLOW pattern exists that no DENY covers (a LITERAL deny of the same name, a PREFIXED
   * deny that is a prefix of it, or a LITERAL `*` deny, which denies all).
   */
  authorizeAny(who: Requester, operation: number, resourceType: number): boolean {
    // A name no ACL can literally hold: super users, and the no-ACL default, answer as for any resource.
    if (this.authorize(who, operation, resourceType, '\u0000any')) return true;
    const t = this.indexFor(resourceType);
    if (!t) return false;
    const denyLiteral = new Set<string>();
    const denyPrefixed = new Set<string>();
    const allowLiteral: string[] = [];
    const allowPrefixed: string[] = [];
    // A LITERAL `*` ALLOW answers only once every ACL is seen: a LITERAL `*` DENY anywhere beats it.
    let wildcardAllow = false;
    const matches = (acl: AclEntry): boolean =>
      (acl.principal === who.principal || acl.principal === wildcardPrincipal) &&
      (acl.host === '*' || acl.host === who.host) &&
      (acl.operation === operation || acl.operation === AclOperation.ALL);
    for (const [name, list] of t.literal) {
      for (const acl of list) {
        if (!matches(acl)) continue;
        if (acl.permissionType === AclPermission.DENY) {
          if (name === wildcardResourceName) return false;
          denyLiteral.add(name);
        } else if (acl.permissionType === AclPermission.ALLOW) {
          if (name === wildcardResourceName) wildcardAllow = true;
          else allowLiteral.push(name);
        }
      }
    }
    for (const [name, list] of t.prefixed) {
      for (const acl of list) {
        if (!matches(acl)) continue;
        if (acl.permissionType === AclPermission.DENY) denyPrefixed.add(name);
        else if (acl.permissionType === AclPermission.ALLOW) allowPrefixed.push(name);
      }
    }
    if (wildcardAllow) return true;
    const deniedByPrefix = (name: string): boolean => {
      for (let i = 1; i <= name.length; i++) if (denyPrefixed.has(name.slice(0, i))) return true;
      return false;
    };
    if (allowLiteral.some((n) => !denyLiteral.has(n) && !deniedByPrefix(n))) return true;
    return allowPrefixed.some((n) => !deniedByPrefix(n));
  }

  private indexFor(resourceType: number): ResourceTypeIndex | undefined {
    const acls = this.currentAcls();
    if (acls !== this.indexedAcls) {
      this.index = buildIndex(acls);
      this.indexedAcls = acls;
    }
    return this.index.get(resourceType);
  }

  private *applying(t: ResourceTypeIndex, name: string): Generator<AclEntry> {
    const exact = t.literal.get(name);
    if (exact) yield* exact;
    if (name !== wildcardResourceName) {
      const any = t.literal.get(wildcardResourceName);
      if (any) yield* any;
    }
    for (const length of t.prefixLengths) {
      if (length > name.length) continue;
      const list = t.prefixed.get(name.slice(0, length));
      if (list) yield* list;
    }
  }
}
