import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import type { MailMessage } from './templates.ts';

export interface Mailer {
  /** Whether an SMTP server is configured; without one, invitations are printed and passwords reset by hand. */
  readonly configured: boolean;
  /** Sends one message; throws when the SMTP server refuses it. Never logs the body (it holds codes and links). */
  send(to: string, message: MailMessage): Promise<void>;
  close(): void;
}

/** Outgoing e-mail through SMTP (nodemailer), or a mailer that says it is not configured. */
export function createMailer(mail: Config['mail'], logger: Logger): Mailer {
  const smtp = mail.smtp;
  if (!smtp) {
    return {
      configured: false,
      send: () => Promise.reject(new Error('No SMTP server is configured')),
      close: () => undefined,
    };
  }
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
    // A slow or silent server must not hold a request (or a background send) for minutes.
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
  });
  return {
    configured: true,
    async send(to, message) {
      const info = await transport.sendMail({ from: mail.from, to, subject: message.subject, text: message.text, html: message.html });
      logger.info({ messageId: info.messageId, kind: message.kind }, 'e-mail sent');
    },
    close: () => transport.close(),
  };
}
