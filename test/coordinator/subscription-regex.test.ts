// SubscribedTopicRegex with RE2/J semantics. Every expectation below is what com.google.re2j 1.8 (the
// RE2/J in Kafka 4.4.0's libs) gives for the same pattern: compiled or not, its error description,
// and whole-name matches; several differ from JavaScript's RegExp, which the test shows alongside.
import t from 'tap';
import {
  InvalidRegexError,
  compileSubscriptionRegex,
  resolveSubscriptionRegex,
} from '../../src/coordinator/group/subscription-regex.js';

const invalid = (pattern: string, description: string) =>
  new InvalidRegexError(`SubscribedTopicRegex \`${pattern}\` is not a valid regular expression: ${description}.`);

const jsCompiles = (p: string) => {
  try {
    new RegExp(p);
    return true;
  } catch {
    return false;
  }
};

t.test('patterns RE2/J rejects, with Kafka INVALID_REGULAR_EXPRESSION messages', async (t) => {
  const cases: Array<[string, string]> = [
    ['(foo', 'missing closing )'],
    ['a(?=b)', 'invalid or unsupported Perl syntax'], // lookahead: JavaScript accepts it
    ['(?<!a)b', 'invalid named capture'], // lookbehind: JavaScript accepts it
    ['a*+', 'invalid nested repetition operator'], // possessive quantifier
    ['a**', 'invalid nested repetition operator'],
    ['x{2,1}', 'invalid repeat count'],
    ['a{1001}', 'invalid repeat count'], // RE2's repeat limit: JavaScript accepts it
    ['[z-a]', 'invalid character class range'],
    ['*a', 'missing argument to repetition operator'],
    ['a\\', 'trailing backslash at end of expression'],
    ['\\8', 'invalid escape sequence'], // a backreference-like escape: JavaScript accepts it
  ];
  for (const [pattern, description] of cases) t.throws(() => compileSubscriptionRegex(pattern), invalid(pattern, description), pattern);
  t.ok(jsCompiles('a(?=b)') && jsCompiles('(?<!a)b') && jsCompiles('a{1001}') && jsCompiles('\\8'), 'JavaScript RegExp would have taken four of them');
});

t.test('RE2/J syntax JavaScript lacks', async (t) => {
  const quoted = compileSubscriptionRegex('\\Qa.b\\E');
  t.ok(quoted.matches('a.b'), '\\Q..\\E quotes');
  t.notOk(quoted.matches('axb'), 'the quoted dot is literal');
  t.notOk(new RegExp('^\\Qa.b\\E$').test('a.b'), 'JavaScript reads \\Q as Q');

  t.ok(compileSubscriptionRegex('(?i)FOO.*').matches('foo-topic'), '(?i) flag group');
  t.notOk(jsCompiles('(?i)FOO.*'), 'JavaScript has no inline flags');
  t.ok(compileSubscriptionRegex('\\pL+').matches('foo'), '\\pL Unicode class');
  t.ok(compileSubscriptionRegex('[[:alpha:]]+').matches('foo'), 'POSIX class');
  t.notOk(compileSubscriptionRegex('[[:alpha:]]+').matches('foo1'));
  t.ok(compileSubscriptionRegex('(?P<n>a)').matches('a'), 'Python-style named group');
  t.ok(compileSubscriptionRegex('(?<n>a)').matches('a'), 'named group');
});

t.test('the whole topic name must match', async (t) => {
  const re = compileSubscriptionRegex('topic-\\d+');
  t.ok(re.matches('topic-12'));
  t.notOk(re.matches('topic-12x'), 'no match on a prefix');
  t.notOk(re.matches('my-topic-12'), 'no match on a suffix');
  t.equal(re.pattern, 'topic-\\d+');
  t.same(
    [...resolveSubscriptionRegex(compileSubscriptionRegex('.*'), ['a', '__consumer_offsets', 'b'])],
    ['a', '__consumer_offsets', 'b'],
    'internal topics are resolved like any other (Kafka filters only by DESCRIBE authorization)',
  );
  t.same([...resolveSubscriptionRegex(re, ['topic-1', 'topic-x', 'topic-22'])], ['topic-1', 'topic-22']);
});
