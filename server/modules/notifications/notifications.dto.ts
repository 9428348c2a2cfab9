import type { NotificationRow } from './notifications.repository.js'
import type { NotificationDto } from './notifications.schemas.js'

export function toNotificationDto(row: NotificationRow): NotificationDto {
  return {
    id: row.id,
    eventId: row.eventId,
    type: row.type as NotificationDto['type'],
    category: row.category as NotificationDto['category'],
    title: row.title,
    link: row.link,
    subject: { kind: row.subjectKind, id: row.subjectId },
    workroomId: row.workroomId,
    contractId: row.contractId,
    data: (row.data ?? {}) as Record<string, unknown>,
    readAt: row.readAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  }
}
