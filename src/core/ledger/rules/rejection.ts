import type { RejectReason, Rejection } from "../types.ts";

/** A fold rule's refusal (the rule returns it instead of changing the state). */
export const rejection = (reason: RejectReason, message: string): Rejection => ({ reason, message });
