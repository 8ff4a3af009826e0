// What callers outside src/metadata/ know a topic as: the image's TopicImage (name, topicId,
// partition count, partition registrations). Kept under this name for existing imports.
export type { TopicImage as TopicInfo } from './image.js';
