import type { MailMessage } from '../../plugins/mail.js'

/** The account mails: plain text and the same words in escaped HTML. */

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

function mail(input: {
  to: string
  userId: string
  subject: string
  greeting: string
  lines: string[]
  link?: { label: string; url: string }
}): MailMessage {
  const text = [
    `Hi ${input.greeting},`,
    '',
    ...input.lines,
    ...(input.link ? ['', `${input.link.label}: ${input.link.url}`] : []),
    '',
    '— Workroom',
  ].join('\n')
  const html = [
    `<p>Hi ${escapeHtml(input.greeting)},</p>`,
    ...input.lines.map((line) => `<p>${escapeHtml(line)}</p>`),
    ...(input.link ? [`<p><a href="${escapeHtml(input.link.url)}">${escapeHtml(input.link.label)}</a></p>`] : []),
    '<p>— Workroom</p>',
  ].join('\n')
  return { to: input.to, subject: input.subject, text, html, userId: input.userId, category: 'account' }
}

type Recipient = { id: string; name: string; email: string }

export function verificationMail(user: Recipient, url: string): MailMessage {
  return mail({
    to: user.email,
    userId: user.id,
    subject: 'Confirm your email address',
    greeting: user.name,
    lines: ['Confirm that this is your address for Workroom. The link works once, within 24 hours.'],
    link: { label: 'Confirm your email', url },
  })
}

export function passwordResetMail(user: Recipient, url: string): MailMessage {
  return mail({
    to: user.email,
    userId: user.id,
    subject: 'Reset your Workroom password',
    greeting: user.name,
    lines: [
      'Someone (we hope you) asked to reset the password of your Workroom account.',
      'The link works once, within 30 minutes. Setting a new password signs out every device.',
      'If it was not you, ignore this mail: your password stays as it is.',
    ],
    link: { label: 'Choose a new password', url },
  })
}

export function changeEmailMail(user: Recipient, newEmail: string, url: string): MailMessage {
  return mail({
    to: newEmail,
    userId: user.id,
    subject: 'Confirm your new email address',
    greeting: user.name,
    lines: [
      `Confirm that ${newEmail} is your new address for Workroom. The link works once, within 24 hours.`,
      'Until you confirm, mail keeps going to your old address.',
    ],
    link: { label: 'Confirm your new email', url },
  })
}

export function emailChangeNoticeMail(user: Recipient, newEmail: string): MailMessage {
  return mail({
    to: user.email,
    userId: user.id,
    subject: 'Your Workroom email is being changed',
    greeting: user.name,
    lines: [
      `Someone signed in to your account asked to change its email address to ${newEmail}.`,
      'If that was you, confirm from the new address. If not, change your password now: the change only takes ' +
        'effect once the new address is confirmed.',
    ],
  })
}

export function passwordChangedMail(user: Recipient): MailMessage {
  return mail({
    to: user.email,
    userId: user.id,
    subject: 'Your Workroom password was changed',
    greeting: user.name,
    lines: [
      'The password of your Workroom account was just changed, and other devices were signed out.',
      'If it was not you, reset your password from the sign-in page now.',
    ],
  })
}
