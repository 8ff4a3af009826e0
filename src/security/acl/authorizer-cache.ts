// The broker's StandardAuthorizer for the current ACLs: null when authorizer.class.name is unset
// (every request allowed), rebuilt only when the image's ACLs change.
import type { AclsImage } from '../../metadata/acl-image.js';
import { parseSuperUsers, STANDARD_AUTHORIZER, StandardAuthorizer } from './authorizer.js';

export class AuthorizerCache {
  private built: { acls: AclsImage; authorizer: StandardAuthorizer } | null = null;
  private readonly enabled: boolean;

  constructor(private readonly setting: (name: string) => string | null) {
    const cls = setting('authorizer.class.name') ?? '';
    if (cls !== '' && cls !== STANDARD_AUTHORIZER && cls !== 'kafka.security.authorizer.AclAuthorizer') {
      throw new Error(`authorizer.class.name: samsa provides only ${STANDARD_AUTHORIZER}, not ${cls}`);
    }
    this.enabled = cls !== '';
  }

  current(acls: AclsImage): StandardAuthorizer | null {
    if (!this.enabled) return null;
    if (this.built?.acls !== acls) {
      const authorizer = new StandardAuthorizer(acls.acls.values(), {
        superUsers: parseSuperUsers(this.setting('super.users')),
        allowEveryoneIfNoAclFound: this.setting('allow.everyone.if.no.acl.found') === 'true',
      });
      this.built = { acls, authorizer };
    }
    return this.built.authorizer;
  }
}
