// The API's shapes, as openapi-typescript generates them from api/server/src/main/resources/openapi.yaml: a field
// renamed or removed there breaks the console's type check, and so its build.
import type { components, paths } from './api-types';

type Schemas = components['schemas'];
export type Build = Schemas['Build'];
export type BuildStep = Schemas['BuildStep'];
export type BuildStatus = Schemas['BuildStatus'];
export type BuildRequest = Schemas['BuildRequest'];
export type BuildStatusEvent = Schemas['BuildStatusEvent'];
export type StepProgressEvent = Schemas['StepProgressEvent'];
export type StepLogEvent = Schemas['StepLogEvent'];
export type Template = Schemas['Template'];
export type TemplateVersion = Schemas['TemplateVersion'];
export type TemplateTag = Schemas['TemplateTag'];
export type TagMove = Schemas['TagMove'];
export type Host = Schemas['Host'];
export type HostCreated = Schemas['HostCreated'];
export type HostDeletePreview = Schemas['HostDeletePreview'];
export type Sandbox = Schemas['Sandbox'];
export type Metrics = Schemas['Metrics'];
export type FleetStats = Schemas['FleetStats'];
export type Project = Schemas['Project'];
export type Golden = Schemas['Golden'];
export type GoldenHost = Schemas['GoldenHost'];
export type WriteRate = Schemas['WriteRate'];
export type Session = Schemas['Session'];
export type Me = Schemas['Me'];
export type ApiErrorBody = Schemas['Error'];

/** A route of the contract: naming one that openapi.yaml lacks is a type error. */
export type Route = keyof paths;
