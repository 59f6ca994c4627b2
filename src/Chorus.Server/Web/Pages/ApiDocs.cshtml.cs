namespace Chorus.Server.Web.Pages;

public sealed class ApiDocsModel : ChorusPageModel;
