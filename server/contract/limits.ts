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
  /** One event's payload; larger ones are answered TOO_LARGE by the edge (the socket stays open). */
  messageBytesMax: 64 * 1024,
  /** Socket.IO's frame limit (maxHttpBufferSize): closes the socket, so well above messageBytesMax. */
  frameBytesMax: 256 * 1024,
  /** Open sockets of one user on one process, per Socket.IO server (lessons, plans): tabs and devices, not thousands. */
  socketsPerUserMax: 20,
  /** recording:watch follows at most this many lessons (the ones still processing): one query each time. */
  recordingWatchMax: 50,
  /** One evidence file of an offline activity (a phone photo, a scanned sign-in sheet, a document). */
  evidenceBytesMax: 15 * 1024 * 1024,
  /** Evidence files of one activity. */
  evidencePerActivityMax: 30,
} as const;
