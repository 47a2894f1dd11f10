import { errorToAttributes } from '../logger/exceptionAttributes.js';
import { guard, text, type CategoryEmit } from './helperSupport.js';
import { ATTRS, EVENTS } from './names.js';
import { summarise } from './summarise.js';

/** A user interaction (one request of a user and the app's answer). */
export interface UserInteraction {
  /** What the user asked; redacted, then truncated to 500 characters. */
  readonly input: string;
  /** The answer; redacted, summarised (JSON for non-strings), then truncated to 500 characters. */
  readonly response?: unknown;
  /** The tools called while answering: their names (or objects with a `name`). */
  readonly toolCalls?: ReadonlyArray<string | { readonly name: string }>;
  readonly success: boolean;
  readonly durationMs: number;
  /** The failure, recorded as `exception.*`. */
  readonly error?: unknown;
}

export interface UserHelpers {
  interaction(interaction: UserInteraction): void;
}

/** A tool call's `name`, or undefined when it cannot be read. */
function nameOf(call: unknown): unknown {
  try {
    return (call as { name?: unknown } | undefined)?.name;
  } catch {
    return undefined;
  }
}

/** The `user` category: `logkit.user.interaction` records. */
export function createUserHelpers(emit: CategoryEmit): UserHelpers {
  const user: UserHelpers = {
    interaction: (i) =>
      guard('user', () => {
        const failed = !i.success || i.error !== undefined;
        const attributes: Record<string, unknown> = {
          [ATTRS.userInput]: summarise(i.input ?? ''),
          [ATTRS.success]: i.success === true,
          [ATTRS.durationMs]: i.durationMs,
        };
        if (i.response !== undefined) attributes[ATTRS.userResponse] = summarise(i.response);
        if (i.toolCalls !== undefined) {
          attributes[ATTRS.userToolCalls] = Array.from(i.toolCalls, (call) =>
            typeof call === 'string' ? call : text(nameOf(call)),
          );
        }
        if (i.error !== undefined) Object.assign(attributes, errorToAttributes(i.error));
        emit(
          EVENTS.userInteraction,
          failed ? 'error' : 'info',
          failed ? 'user interaction failed' : 'user interaction',
          attributes,
        );
      }),
  };
  return user;
}
