// A consumer group member's SubscribedTopicRegex (KIP-848), with the RE2/J semantics Kafka uses
// (com.google.re2j through re2js, its JavaScript port): linear-time, no lookaround or backreferences,
// \Q..\E quoting, a topic matches only when the whole name matches. A bad pattern is Kafka's
// INVALID_REGULAR_EXPRESSION with its message.
import { RE2JS, RE2JSSyntaxException } from 're2js';

export class InvalidRegexError extends Error {
  override readonly name = 'InvalidRegexError';
}

export interface SubscriptionRegex {
  readonly pattern: string;
  /** True when the whole topic name matches (Matcher.matches(), not find()). */
  matches(topic: string): boolean;
}

/** Compiles the pattern or throws InvalidRegexError with the message Kafka returns to the member. */
export function compileSubscriptionRegex(pattern: string): SubscriptionRegex {
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (e) {
    if (e instanceof RE2JSSyntaxException) {
      throw new InvalidRegexError(`SubscribedTopicRegex \`${pattern}\` is not a valid regular expression: ${e.getDescription()}.`);
    }
    throw e;
  }
  return { pattern, matches: (topic) => re.matches(topic) };
}

/** The topic names the regex selects (Kafka resolves against every topic, internal ones included). */
export function resolveSubscriptionRegex(regex: SubscriptionRegex, topicNames: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const name of topicNames) if (regex.matches(name)) out.add(name);
  return out;
}
