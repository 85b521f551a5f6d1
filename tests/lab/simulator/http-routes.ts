import type { Profile } from './profile.ts';
import type { HttpRequest, HttpResponse } from './http-request.ts';
import { handleOnvifRequest } from './onvif-service.ts';
import { buildUpnpDescription } from './upnp-description.ts';

/**
 * Which HTTP answer a device gives (pure): the profile's static routes, the ONVIF device
 * service, the UPnP description, and a 404 for anything else.
 */

export interface RoutedResponse {
  response: HttpResponse;
  /** For the hit log: the ONVIF operation, when this was an ONVIF request. */
  onvifOperation?: string;
}

export interface HttpState {
  ip: string;
  mac: string;
  now: () => Date;
}

/** Every TCP port the profile serves HTTP on. */
export function httpPorts(profile: Profile): number[] {
  const ports = new Set<number>();
  for (const r of profile.http?.routes ?? []) ports.add(r.port);
  if (profile.onvif !== undefined) ports.add(profile.onvif.port);
  if (profile.upnp !== undefined) ports.add(profile.upnp.port);
  return [...ports].sort((a, b) => a - b);
}

function serverHeader(profile: Profile): Array<[string, string]> {
  return profile.http?.server === undefined ? [] : [['Server', profile.http.server]];
}

export function routeRequest(profile: Profile, port: number, req: HttpRequest, state: HttpState): RoutedResponse {
  for (const r of profile.http?.routes ?? []) {
    if (r.port === port && r.path === req.path && r.method === req.method) {
      return {
        response: {
          httpVersion: r.httpVersion,
          status: r.status,
          reason: r.reason,
          headers: r.headers,
          body: r.body,
          endless: r.endless,
        },
      };
    }
  }
  const onvif = profile.onvif;
  if (onvif !== undefined && port === onvif.port && req.path === onvif.path && req.method === 'POST') {
    const reply = handleOnvifRequest(req.body.toString('utf8'), onvif, {
      ip: state.ip,
      mac: state.mac,
      scopes: profile.wsd?.match.scopes ?? [],
      now: state.now(),
    });
    return {
      onvifOperation: reply.operation === '' ? 'invalid' : `${reply.operation}${reply.authorized ? '' : ' (NotAuthorized)'}`,
      response: {
        httpVersion: '1.1',
        status: reply.status,
        reason: reply.reason,
        headers: [...serverHeader(profile), ['Content-Type', 'application/soap+xml; charset=utf-8']],
        body: reply.body,
      },
    };
  }
  const upnp = profile.upnp;
  if (upnp !== undefined && port === upnp.port && req.path === upnp.path && req.method === 'GET') {
    if (upnp.endless) {
      return {
        response: {
          httpVersion: '1.1',
          status: 200,
          reason: 'OK',
          headers: [...serverHeader(profile), ['Content-Type', 'text/xml'], ...upnp.headers],
          body: '<?xml version="1.0"?>\r\n<root xmlns="urn:schemas-upnp-org:device-1-0"><device><friendlyName>',
          endless: true,
        },
      };
    }
    return {
      response: {
        httpVersion: '1.1',
        status: 200,
        reason: 'OK',
        headers: [...serverHeader(profile), ['Content-Type', 'text/xml; charset="utf-8"'], ...upnp.headers],
        body: buildUpnpDescription(upnp, profile.ssdp),
      },
    };
  }
  return {
    response: {
      httpVersion: '1.1',
      status: 404,
      reason: 'Not Found',
      headers: [...serverHeader(profile), ['Content-Type', 'text/html']],
      body: '<html><head><title>404 Not Found</title></head><body>Not Found</body></html>',
    },
  };
}
