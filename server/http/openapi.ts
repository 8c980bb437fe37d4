import { z, type ZodType } from 'zod';
import { errorResponseSchema } from '../../shared/api/errors.ts';
import type { AnyRoute } from './route.ts';

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function parameters(schema: ZodType | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const json = jsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: s,
  }));
}

/** The OpenAPI 3.1 document, built from the same route declarations that the router mounts. */
export function buildOpenApi(routes: readonly AnyRoute[], info: { version: string; serverUrl: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  const error = { description: 'Error', content: { 'application/json': { schema: jsonSchema(errorResponseSchema, 'output') } } };
  for (const def of routes) {
    const path = def.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const status = String(def.status ?? 200);
    paths[path] ??= {};
    paths[path][def.method] = {
      summary: def.summary,
      tags: [def.tag],
      ...(def.auth === 'user' ? { security: [{ session: [] }] } : {}),
      parameters: [...parameters(def.params, 'path'), ...parameters(def.query, 'query')],
      ...(def.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(def.body, 'input') } } } } : {}),
      ...(def.multipartDoc ? { requestBody: { required: true, content: { 'multipart/form-data': { schema: jsonSchema(def.multipartDoc, 'input') } } } } : {}),
      responses: {
        [status]: {
          description: 'Success',
          ...(def.response ? { content: { 'application/json': { schema: jsonSchema(def.response, 'output') } } } : {}),
        },
        ...(def.body || def.params || def.query || def.multipartDoc ? { 400: error } : {}),
        ...(def.auth === 'user' ? { 401: error, 403: error, 404: error } : {}),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Polku API', version: info.version, description: 'Errors always have the shape { error: { code, message, details } }.' },
    servers: [{ url: info.serverUrl }],
    components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'polku.sid' } } },
    paths,
  };
}
