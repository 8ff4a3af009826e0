// ssl.principal.mapping.rules as Kafka's SslPrincipalMapper reads them (the cases of Kafka's
// SslPrincipalMapperTest), and certificate subjects in Java's RFC 2253 form.
import t from 'tap';
import { rfc2253, SslPrincipalMapper } from '../../src/security/ssl-principal-mapper.js';

t.test('valid rules parse', async (t) => {
  for (const rules of [
    'DEFAULT',
    'RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/',
    'RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/L, DEFAULT',
    'RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/',
    'RULE:^.*[Cc][Nn]=([a-zA-Z0-9.]*).*$/$1/L',
    'RULE:^cn=(.?),ou=(.?),dc=(.?),dc=(.?)$/$1@$2/U',
    'RULE:^CN=([^,ADEFLTU,]+)(,.*|$)/$1/',
    'RULE:^CN=([^,DEFAULT,]+)(,.*|$)/$1/',
  ]) {
    t.doesNotThrow(() => new SslPrincipalMapper(rules), rules);
  }
});

t.test('invalid rules fail', async (t) => {
  for (const rules of ['default', 'DEFAUL', 'DEFAULT/L', 'DEFAULT/U', 'RULE:CN=(.*?),OU=ServiceUsers.*/$1', 'RULE:CN=(.*?),OU=ServiceUsers.*/$1/L/U', 'RULE:CN=(.*?),OU=ServiceUsers.*/L', 'RULE:CN=(.*?),OU=ServiceUsers.*/U', 'RULE:CN=(.*?),OU=ServiceUsers.*/LU']) {
    t.throws(() => new SslPrincipalMapper(rules), rules);
  }
});

t.test('the first rule that applies names the principal', async (t) => {
  const rules = [
    'RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/L',
    'RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/L',
    'RULE:^cn=(.*?),ou=(.*?),dc=(.*?),dc=(.*?)$/$1@$2/U',
    'RULE:^.*[Cc][Nn]=([a-zA-Z0-9.]*).*$/$1/U',
    'DEFAULT',
  ].join(', ');
  const m = new SslPrincipalMapper(rules);
  t.equal(m.name('CN=Duke,OU=ServiceUsers,O=Org,C=US'), 'duke');
  t.equal(m.name('CN=Duke,OU=SME,O=mycp,L=Fulton,ST=MD,C=US'), 'duke@sme');
  t.equal(m.name('cn=duke,ou=sme,dc=mycp,dc=com'), 'DUKE@SME');
  t.equal(m.name('cN=duke,OU=JavaSoft,O=Sun Microsystems'), 'DUKE');
  t.equal(m.name('OU=JavaSoft,O=Sun Microsystems,C=US'), 'OU=JavaSoft,O=Sun Microsystems,C=US');
});

t.test('no rule applies: an error', async (t) => {
  const m = new SslPrincipalMapper('RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/');
  t.throws(() => m.name('CN=Duke,OU=Other,O=Org'));
});

t.test('a comma escaped inside a name', async (t) => {
  const m = new SslPrincipalMapper(String.raw`RULE:^CN=((\\, *|\w)+)(,.*|$)/$1/,DEFAULT`);
  t.equal(m.name(String.raw`CN=Tkac\, Adam,OU=ITZ,DC=geodis,DC=cz`), String.raw`Tkac\, Adam`);
});

t.test("Node's subject lines in Java's RFC 2253 order and escaping", async (t) => {
  t.equal(rfc2253('C=US\nO=acme\nOU=eng\nCN=Alice'), 'CN=Alice,OU=eng,O=acme,C=US');
  t.equal(rfc2253('O=a, b\nCN=x+y'), 'CN=x\\+y,O=a\\, b');
  t.equal(rfc2253('CN=bob\nemailAddress=b@x'), '1.2.840.113549.1.9.1=#1603624078,CN=bob');
});
