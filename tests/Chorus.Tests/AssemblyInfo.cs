[assembly: AssemblyFixture(typeof(Chorus.Tests.Servers))]
