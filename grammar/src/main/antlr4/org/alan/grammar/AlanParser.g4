// Syntax of the .alan language: model and guide blocks made of plates, groups,
// inputs, observed data, latent variables, let bindings and model parameters.
parser grammar AlanParser;

options { tokenVocab = AlanLexer; }

program
    : declaration* EOF
    ;

declaration
    : MODEL name=IDENT LBRACE statement* RBRACE    # modelDeclaration
    | GUIDE name=IDENT LBRACE statement* RBRACE    # guideDeclaration
    ;

statement
    : PLATE name=IDENT (LPAREN (size=NUMBER | option=IDENT) RPAREN)? LBRACE statement* RBRACE   # plateStatement
    | GROUP name=IDENT LBRACE statement* RBRACE                               # groupStatement
    | INPUT name=IDENT shape? indexTarget? SEMI                               # inputStatement
    | DATA name=IDENT shape? TILDE call truncation? SEMI                      # dataStatement
    | name=IDENT shape? TILDE call truncation? SEMI                           # latentStatement
    | LET name=IDENT ASSIGN expression SEMI                                   # letStatement
    | PARAM name=IDENT shape? ASSIGN init=expression SEMI                     # paramStatement
    | name=IDENT PLUS_ASSIGN expression SEMI                                  # targetStatement
    ;

shape
    : LBRACK NUMBER (COMMA NUMBER)* RBRACK
    ;

// `input county : counties;` declares an index into plate counties; `(base = 0)` for data counted from 0
indexTarget
    : COLON plate=IDENT (LPAREN option=IDENT ASSIGN value=NUMBER RPAREN)?
    ;

// `T[lo, hi]`, `T[lo, ]` or `T[, hi]` after a distribution: Stan's truncation (the identifier must be T)
truncation
    : marker=IDENT LBRACK lower=expression? COMMA upper=expression? RBRACK
    ;

// `normal_lpdf(y | mu, sigma)`: Stan's density functions put a bar after the variate
call
    : function=IDENT LPAREN (argument (separators+=(COMMA | PIPE) argument)*)? RPAREN
    ;

argument
    : (name=IDENT ASSIGN)? expression
    ;

expression
    : base=expression LBRACK index=expression RBRACK             # indexExpression
    | base=expression LBRACK lower=expression? COLON upper=expression? RBRACK   # sliceExpression
    | <assoc=right> base=expression CARET exponent=expression     # powerExpression
    | MINUS operand=expression                                   # negateExpression
    | left=expression op=(STAR | SLASH) right=expression         # multiplicativeExpression
    | left=expression op=(PLUS | MINUS) right=expression         # additiveExpression
    | left=expression op=(LT | LE | GT | GE | EQ | NE) right=expression   # comparisonExpression
    | call                                                       # callExpression
    | NUMBER                                                     # numberExpression
    | LBRACK expression (COMMA expression)* RBRACK               # vectorExpression
    | IDENT                                                      # nameExpression
    | LPAREN inner=expression RPAREN                             # parenthesizedExpression
    ;
