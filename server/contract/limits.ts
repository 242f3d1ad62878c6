// Size and rate limits shared by client and server. Kept free of zod so the client bundle
// can import values from here without pulling in the schemas.
export const LIMITS = {
  chatTextMax: 500,
  chatPerWindow: 5,
  chatWindowMs: 10_000,
  quizQuestionMax: 300,
  quizOptionMax: 100,
  quizOptionsMax: 6,
  quizCountMax: 200,
  /** Socket.IO refuses any frame larger than this (maxHttpBufferSize). */
  messageBytesMax: 64 * 1024,
} as const;
