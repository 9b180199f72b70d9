// The shape of a slice's handlers: one function per method of the slice, given the params its
// schema parsed, resolving to the method's result. RlmService spreads every slice into one table
// typed `Handlers<MethodName>`, so a method of the contract without a handler does not compile.
import type { MethodName, MethodResult, ParsedParams } from '../../shared/api';
import type { AbortSignalLike } from '../../shared/cancellation';

/** `signal`: aborted when the caller cancels the call or goes away; a handler may ignore it. */
export type Handlers<M extends MethodName> = { [K in M]: (params: ParsedParams<K>, signal?: AbortSignalLike) => Promise<MethodResult<K>> };
