using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Http;
using Pukeko.Server.BuiltIn.Rbac;

namespace Pukeko.Server.Control.Channels;

/// <summary>The role RBAC's <c>assign-role-method</c> gives an HTTP control request; "" when the method finds none (the default role).</summary>
internal static class RbacRequestRole
{
    private const string CommonNameOid = "2.5.4.3";

    /// <param name="authenticated">The socket checks basic authentication, so the request's user is one it accepted.</param>
    public static string Of(HttpContext context, RoleAssignment method, bool authenticated)
    {
        ArgumentNullException.ThrowIfNull(context);
        return method switch
        {
            RoleAssignment.RemoteAddress => RemoteAddress(context.Connection.RemoteIpAddress),
            RoleAssignment.CertSubject => CommonName(context.Connection.ClientCertificate?.SubjectName),
            RoleAssignment.CertIssuer => CommonName(context.Connection.ClientCertificate?.IssuerName),
            RoleAssignment.BasicAuthentication => authenticated ? BasicUser(context.Request.Headers.Authorization.ToString()) : "",
            _ => "",
        };
    }

    private static string RemoteAddress(IPAddress? address) =>
        address is null ? "" : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();

    /// <summary>The common name of a distinguished name, or "" (a certificate with only a DNS alternative name has none, as Kea notes).</summary>
    private static string CommonName(X500DistinguishedName? name)
    {
        if (name is null)
        {
            return "";
        }

        foreach (var rdn in name.EnumerateRelativeDistinguishedNames())
        {
            if (!rdn.HasMultipleElements && rdn.GetSingleElementType().Value == CommonNameOid)
            {
                return rdn.GetSingleElementValue() ?? "";
            }
        }

        return "";
    }

    private static string BasicUser(string header)
    {
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return "";
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? "" : decoded[..colon];
        }
        catch (FormatException)
        {
            return "";
        }
    }
}
