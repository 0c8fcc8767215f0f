import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Gridkey } from '../../gridkey.js';
import {
  authorisePat,
  createPat,
  listPats,
  patRoleNames,
  revokePat,
} from '../../operations/pats.js';
import { adminRoute } from '../admin-context.js';
import * as R from '../admin-response-schemas.js';
import { AuthorisePatBody, CreatePatBody, IdParams } from '../admin-schemas.js';

type Id = Static<typeof IdParams>;

/** The session and PATs: parse, call the operation, answer. */
export function registerPatRoutes(app: FastifyInstance, gk: Gridkey): void {
  adminRoute(
    app,
    gk,
    'GET',
    '/admin/api/session',
    { summary: 'The admin token in use', response: { 200: R.Session } },
    async ({ admin, ops }) => ({
      pat: { id: admin.id, name: admin.name, role: admin.role },
      roles: patRoleNames(ops),
    }),
  );

  adminRoute(
    app,
    gk,
    'GET',
    '/admin/api/pats',
    { summary: 'List personal access tokens (never the tokens)', response: { 200: R.PatList } },
    ({ ops }) => listPats(ops),
  );

  adminRoute(
    app,
    gk,
    'POST',
    '/admin/api/pats',
    {
      summary: 'Create a PAT; the token is in this response only',
      body: CreatePatBody,
      response: { 201: R.CreatedPat },
    },
    async ({ req, reply, ops }) =>
      reply.code(201).send(await createPat(ops, req.body as Static<typeof CreatePatBody>)),
  );

  adminRoute(
    app,
    gk,
    'POST',
    '/admin/api/pats/:id/authorise',
    {
      summary: 'AUTHORISE for the JSON API and/or the web page, optionally with a shorter lifetime',
      params: IdParams,
      body: AuthorisePatBody,
      response: { 200: R.PatDescription },
    },
    ({ req, ops }) =>
      authorisePat(ops, (req.params as Id).id, req.body as Static<typeof AuthorisePatBody>),
  );

  adminRoute(
    app,
    gk,
    'POST',
    '/admin/api/pats/:id/revoke',
    {
      summary: 'REVOKE; every later request with it is rejected',
      params: IdParams,
      response: { 200: R.PatDescription },
    },
    ({ req, ops }) => revokePat(ops, (req.params as Id).id),
  );
}
