import type { Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { stdSerializers } from 'pino';
import { redactingSerializers } from './log-redaction.ts';
import { requestId } from './request-id.ts';

/**
 * The request logger (in place of pino-http, with its log lines): a request id echoed in a header,
 * `req.log` (a child logger bound to the request, made only when something logs through it), and one
 * 'request completed' or 'request errored' line per response at info level. pino-http made the child
 * and serialized the request on every request even when info lines are off (LOG_LEVEL=warn), which
 * was a good part of the server's CPU on the timeline benchmark.
 */
export function requestLogger(logger: Logger, options: { ignore: (req: Request) => boolean }): RequestHandler {
  const log = logger.child(
    {},
    {
      serializers: {
        // Without the route's params: the request is serialized when something logs, after routing, and a
        // path parameter can be a credential (a signed blob token). pino-http's lines never had them either.
        req: stdSerializers.wrapRequestSerializer(({ params: _params, ...req }) => redactingSerializers.req(req)),
        res: stdSerializers.wrapResponseSerializer((res) => redactingSerializers.res({ ...res })),
        err: redactingSerializers.err,
      },
    },
  );
  return (req, res, next) => {
    req.id = requestId(req, res);
    let child: Logger | undefined;
    Object.defineProperty(req, 'log', {
      configurable: true,
      enumerable: false,
      get: () => (child ??= log.child({ req })),
      set: (value: Logger) => {
        child = value;
      },
    });
    if (!log.isLevelEnabled('info') || options.ignore(req)) return next();
    const started = Date.now();
    const done = (err?: Error) => {
      res.off('finish', done);
      res.off('close', done);
      res.off('error', done);
      const responseTime = Date.now() - started;
      if (err || res.statusCode >= 500) {
        req.log.info({ res, err: err ?? new Error(`failed with status code ${res.statusCode}`), responseTime }, 'request errored');
      } else {
        req.log.info({ res, responseTime }, 'request completed');
      }
    };
    res.on('finish', done);
    res.on('close', done);
    res.on('error', done);
    next();
  };
}
